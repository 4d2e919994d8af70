import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce import testing
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.insights.permissions import may_assess
from coproduce.ledger.models import Transfer
from coproduce.ledger.queries import check_ledger
from coproduce.ledger.services import account_for_membership, account_for_organisation, new_key
from coproduce.partners import services
from coproduce.partners.models import Signup
from coproduce.partners.tests.fixtures import membership

PERSONAS = ["anonymous", "outsider", "member", "other_member", "coordinator", "other_coordinator",
            "site_admin", "staff", "other_staff", "left_staff"]
# persona: (see the organisation, manage it, add staff)
EXPECTED = {
    "anonymous": (302, 302, 302),
    "outsider": (403, 403, 403),
    "member": (200, 403, 403),
    "other_member": (403, 403, 403),
    "coordinator": (200, 200, 200),
    "other_coordinator": (403, 403, 403),
    "site_admin": (200, 200, 200),
    "staff": (200, 200, 403),
    "other_staff": (200, 403, 403),
    "left_staff": (200, 403, 403),  # still a member of the community, no longer staff
}


@pytest.fixture
def opportunity(surgery, staff):
    return services.post_opportunity(surgery, actor=staff, title="Welcome volunteer", starts_on=_today(),
                                     places_needed=2, place="Surgery waiting room")


def _today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(client, request, persona, riverside, surgery, staff, other_staff, left_staff):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    see, manage, add_staff = EXPECTED[persona]
    opportunity = services.post_opportunity(surgery, actor=staff, title="Garden day", starts_on=_today())
    pages = [
        (reverse("partners:list", args=[riverside.slug]), see),
        (reverse("partners:detail", args=[riverside.slug, surgery.pk]), see),
        (reverse("partners:opportunity", args=[riverside.slug, opportunity.pk]), see),
        (reverse("partners:edit", args=[riverside.slug, surgery.pk]), manage),
        (reverse("partners:opportunity_new", args=[riverside.slug, surgery.pk]), manage),
        (reverse("partners:attendance", args=[riverside.slug, opportunity.pk]), manage),
        (reverse("partners:listing_new", args=[riverside.slug, surgery.pk]), manage),
        (reverse("partners:agency_exchange", args=[riverside.slug, surgery.pk]), manage),
        (reverse("partners:staff_add", args=[riverside.slug, surgery.pk]), add_staff),
    ]
    for url, expected in pages:
        response = client.get(url)
        assert response.status_code == expected, (url, persona)
        if expected == 302:
            assert "/accounts/login/" in response["Location"]
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    assert may_assess(user, surgery) == (manage == 200)


def test_other_communitys_organisation_is_404(client, other_coordinator, hilltop, surgery):
    client.force_login(other_coordinator)
    assert client.get(reverse("partners:detail", args=[hilltop.slug, surgery.pk])).status_code == 404


def test_opportunity_flow_credits_each_person_and_debits_organisation(client, riverside, surgery, staff, alice,
                                                                      bob, coordinator, opportunity):
    client.force_login(alice.user)
    response = client.post(reverse("partners:sign_up", args=[riverside.slug, opportunity.pk]), follow=True)
    assert "You are signed up" in response.text
    services.sign_up(opportunity, membership=bob, actor=coordinator)
    assert AuditEntry.objects.filter(action=AuditAction.SIGNED_UP_FOR, on_behalf_of=bob.user).exists()

    client.force_login(staff)
    url = reverse("partners:attendance", args=[riverside.slug, opportunity.pk])
    page = client.get(url)
    token = page.context["form"].initial["token"]
    signups = {s.membership_id: s.pk for s in Signup.objects.all()}
    data = {"token": token, "performed_on": _today().isoformat(),
            f"minutes_{signups[alice.pk]}": "2 hours", f"minutes_{signups[bob.pk]}": "1:30"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the double submit posts nothing more
    assert Transfer.objects.count() == 1
    assert account_for_membership(alice).balance == 120
    assert account_for_membership(bob).balance == 90
    assert account_for_organisation(surgery).balance == -210
    assert AuditEntry.objects.filter(action=AuditAction.EXCHANGE_RECORDED_FOR,
                                     detail__authority="staff of Riverside Surgery").exists()
    assert check_ledger(riverside)[1] == []


def test_confirming_someone_who_did_not_sign_up_writes_nothing(surgery, staff, alice, bob, opportunity):
    services.sign_up(opportunity, membership=alice, actor=alice.user)
    with pytest.raises(ValidationError, match="Bob Brown did not sign up"):
        services.confirm_attendance(opportunity, actor=staff, attended=[(alice, 60), (bob, 60)],
                                    performed_on=_today(), idempotency_key=new_key())
    assert Transfer.objects.count() == 0
    assert not Signup.objects.filter(transfer__isnull=False).exists()


def test_staff_of_another_organisation_and_left_staff_cannot_confirm(surgery, alice, opportunity, other_staff,
                                                                     left_staff):
    services.sign_up(opportunity, membership=alice, actor=alice.user)
    for user in (other_staff, left_staff):
        with pytest.raises(ValidationError, match="own staff and coordinators"):
            services.confirm_attendance(opportunity, actor=user, attended=[(alice, 60)], performed_on=_today(),
                                        idempotency_key=new_key())
    assert Transfer.objects.count() == 0


def test_full_and_cancelled_opportunities_refuse_sign_ups(surgery, staff, alice, bob, riverside, coordinator):
    opportunity = services.post_opportunity(surgery, actor=staff, title="Reading helper", starts_on=_today(),
                                            places_needed=1)
    services.sign_up(opportunity, membership=alice, actor=alice.user)
    with pytest.raises(ValidationError, match="full"):
        services.sign_up(opportunity, membership=bob, actor=bob.user)
    with pytest.raises(ValidationError, match="Only coordinators"):
        services.sign_up(opportunity, membership=bob, actor=alice.user)
    services.cancel_opportunity(opportunity, actor=staff)
    with pytest.raises(ValidationError, match="cancelled"):
        services.confirm_attendance(opportunity, actor=staff, attended=[(alice, 60)], performed_on=_today(),
                                    idempotency_key=new_key())
    assert Transfer.objects.count() == 0


def test_safeguarding_check_required_is_enforced(surgery, staff, alice):
    opportunity = services.post_opportunity(surgery, actor=staff, title="Reading helper", starts_on=_today(),
                                            check_required="enhanced_dbs")
    with pytest.raises(ValidationError, match="enhanced DBS check"):
        services.sign_up(opportunity, membership=alice, actor=alice.user)
    assert not Signup.objects.exists()


def test_member_spends_credits_on_a_listing(client, riverside, surgery, staff, alice):
    listing = services.save_listing(surgery, actor=staff, title="Room hire", description="", minutes=60)
    client.force_login(alice.user)
    page = client.get(reverse("partners:detail", args=[riverside.slug, surgery.pk]))
    assert "Room hire" in page.text
    client.post(reverse("partners:buy", args=[riverside.slug, listing.pk]), {"token": new_key()})
    assert account_for_membership(alice).balance == -60
    assert account_for_organisation(surgery).balance == 60


def test_agency_to_agency_exchange(surgery, school, staff, other_staff, riverside, yesterday):
    transfer = services.record_agency_exchange(giver=school, receiver=surgery, minutes=90, performed_on=yesterday,
                                               description="Health talk", actor=staff,
                                               idempotency_key=new_key())
    assert transfer.status == "posted"
    assert account_for_organisation(surgery).balance == -90
    with pytest.raises(ValidationError):  # the giver's staff cannot charge the receiver
        services.record_agency_exchange(giver=school, receiver=surgery, minutes=90, performed_on=yesterday,
                                        description="", actor=other_staff, idempotency_key=new_key())
    assert check_ledger(riverside)[1] == []


def test_staff_added_and_left(riverside, coordinator, surgery, staff, member):
    alice = membership(member, riverside)
    with pytest.raises(ValidationError, match="Only coordinators"):
        services.add_staff(surgery, actor=staff, membership=alice)
    services.add_staff(surgery, actor=coordinator, membership=alice)
    with pytest.raises(ValidationError, match="already staff"):
        services.add_staff(surgery, actor=coordinator, membership=alice)
    assert may_assess(member, surgery)
    services.end_staff(member.staff_roles.get(), actor=coordinator)
    assert not may_assess(member, surgery)


def test_profile_shows_gives_receives_leads_and_staff(client, riverside, surgery, staff, alice, opportunity,
                                                      coordinator):
    from coproduce.groups.services import create_group

    services.sign_up(opportunity, membership=alice, actor=alice.user)
    services.confirm_attendance(opportunity, actor=staff, attended=[(alice, 60)], performed_on=_today(),
                                idempotency_key=new_key())
    testing.accept_invitations(create_group(community=riverside, actor=coordinator, name="Carers' circle",
                                            facilitators=[alice]))
    client.force_login(staff)
    page = client.get(reverse("members:profile", args=[riverside.slug, alice.pk])).text
    assert "Has given 1 hour" in page and "Leads:" in page and "Carers&#x27; circle" in page
    assert "Member (not partner staff)" in page
    own = client.get(reverse("members:profile", args=[riverside.slug, membership(staff, riverside).pk])).text
    assert "Staff at Riverside Surgery" in own


def test_list_pages_use_a_constant_number_of_queries(client, riverside, coordinator, member,
                                                     django_assert_max_num_queries):
    from coproduce.groups.services import create_group

    client.force_login(member)
    urls = [reverse("partners:list", args=[riverside.slug]), reverse("groups:list", args=[riverside.slug]),
            reverse("referrals:list", args=[riverside.slug])]
    baseline = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        baseline[url] = len(queries)
    for i in range(6):
        organisation = services.save_organisation(community=riverside, actor=coordinator, name=f"Partner {i}",
                                                  type="charity", area=riverside.areas.first())
        testing.accept_invitations(create_group(community=riverside, actor=coordinator, name=f"Group {i}",
                                                organisation=organisation,
                                                facilitators=[membership(member, riverside)]))
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            assert client.get(url).status_code == 200
