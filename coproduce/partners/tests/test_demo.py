import io
import random

from django.core.management import call_command

from coproduce import testing
from coproduce.demo.partners import seed_partners
from coproduce.groups.models import Attendance, Group, Session
from coproduce.ledger.queries import check_ledger
from coproduce.partners.models import Listing, Organisation, Redemption, Signup, Staff
from coproduce.referrals.models import Referral


def test_seed_partners_covers_every_step_and_keeps_the_ledger_sound(riverside, coordinator):
    for i in range(40):
        testing.join(testing.make_person(f"demo{i}@example.org", f"Demo {i}"), riverside)
    counts = seed_partners(riverside, random.Random(5))
    assert {o.type for o in Organisation.objects.filter(community=riverside)} == {
        "health", "education", "housing", "library", "leisure", "cafe"}
    # Venues list rewards with limits, and members have spent credits on them.
    assert Listing.objects.filter(organisation__type="leisure", per_member_per_month=4).exists()
    assert Listing.objects.filter(minimum_age=16, days=["MO", "TU", "WE", "TH", "FR"]).exists()
    assert Redemption.objects.filter(via="online").exists()
    assert Staff.objects.active().count() == counts["staff"] and Staff.objects.exclude(left_on=None).exists()
    assert Signup.objects.filter(transfer__isnull=False).exists()
    assert set(Referral.objects.values_list("step", flat=True)) == {
        "received", "contacted", "joined", "first_exchange", "closed"}
    assert Group.objects.count() == 3
    assert Attendance.objects.exists() and Session.objects.filter(status="cancelled").exists()
    assert check_ledger(riverside)[1] == []
    call_command("verify_ledger", stdout=io.StringIO())  # exits non-zero on any problem
    assert seed_partners(riverside, random.Random(5)) == {}  # a second run adds nothing
