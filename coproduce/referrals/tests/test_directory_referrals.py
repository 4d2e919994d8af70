"""Issue 15 point 7: a link worker refers someone to a service in the directory (a direct
referral), or gives them its details (signposting); both count in the referral figures."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from coproduce.assets.tests.factories import make_location, make_organisation, make_service
from coproduce.audit.models import AuditEntry
from coproduce.referrals import queries, services
from coproduce.referrals.models import Referral, Signpost


@pytest.fixture
def lunch_club(riverside):
    club = make_organisation(riverside, "St Mary's")
    hall = make_location(riverside, organisation=club, name="Church hall", postcode="RV1 2AB")
    return make_service(club, "Lunch club", description="A hot meal and company.", locations=[hall],
                        phone="01234 567890")


def _signpost_url(service):
    return reverse("referrals:signpost", args=["riverside", service.pk])


def test_a_direct_referral_to_a_directory_service(client, riverside, staff, surgery, alice, lunch_club):
    client.force_login(staff)
    form = client.get(reverse("referrals:new", args=["riverside"]), {"service": lunch_club.pk})
    assert f'<option value="{lunch_club.pk}" selected>' in form.content.decode()
    response = client.post(reverse("referrals:new", args=["riverside"]), {
        "organisation": surgery.pk, "member": f"#{alice.pk}", "reason": "isolation", "consent": "on",
        "service": lunch_club.pk})
    referral = Referral.objects.get()
    assert response.status_code == 302 and referral.service == lunch_club
    page = client.get(reverse("referrals:detail", args=["riverside", referral.pk])).content.decode()
    assert "Lunch club" in page and "a service in the directory" in page
    counts = dict(queries.counts(riverside)["by_destination"])
    assert counts == {"the time bank": 0, "a peer-support group": 0, "a service in the directory": 1}


def test_a_referral_goes_to_one_listed_service_of_the_community(riverside, hilltop, staff, surgery, alice,
                                                                 lunch_club):
    elsewhere = make_service(make_organisation(hilltop, "Hilltop club"), "Hilltop lunch")
    gone = make_service(lunch_club.organisation, "Closed club", active=False)
    for service in (elsewhere, gone):
        with pytest.raises(ValidationError, match="listed in this community's directory"):
            services.make_referral(surgery, actor=staff, reason="isolation", consent=True, membership=alice,
                                   service=service)
    assert not Referral.objects.exists()


def test_signposting_prints_the_details_and_counts_it(client, riverside, staff, surgery, lunch_club):
    client.force_login(staff)
    page = client.get(_signpost_url(lunch_club)).content.decode()
    assert "Lunch club" in page and "Church hall" in page and "01234 567890" in page
    response = client.post(_signpost_url(lunch_club), {"organisation": surgery.pk, "how": "printed",
                                                       "reason": "isolation"})
    assert response.status_code == 302
    signpost = Signpost.objects.get()
    assert (signpost.service, signpost.made_by, signpost.organisation) == (lunch_club, staff, surgery)
    counts = queries.counts(riverside)
    assert counts["signposted_total"] == 1
    assert dict(counts["signposted"])["isolation or loneliness"] == 1
    listing = client.get(reverse("referrals:list", args=["riverside"]))
    assert listing.status_code == 200


def test_sending_the_details_by_e_mail_keeps_no_address(client, riverside, staff, surgery, lunch_club):
    client.force_login(staff)
    refused = client.post(_signpost_url(lunch_club), {"organisation": surgery.pk, "how": "sent", "reason": "other"})
    assert refused.status_code == 200 and "Give the e-mail address" in refused.content.decode()
    assert not Signpost.objects.exists()
    client.post(_signpost_url(lunch_club), {"organisation": surgery.pk, "how": "sent", "reason": "other",
                                            "email": "someone@example.net"})
    [message] = mail.outbox
    assert message.to == ["someone@example.net"] and "Lunch club" in message.body and "Church hall" in message.body
    assert Signpost.objects.count() == 1
    assert not AuditEntry.objects.filter(detail__icontains="someone@example.net").exists()


def test_who_may_signpost(client, riverside, hilltop, member, staff, lunch_club, other_coordinator):
    url = _signpost_url(lunch_club)
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(member)  # a member, not partner staff
    assert client.get(url).status_code == 403
    assert client.post(url, {"how": "printed", "reason": "other"}).status_code == 403
    client.force_login(other_coordinator)  # another community
    assert client.get(url).status_code in (403, 404)
    client.force_login(staff)
    assert client.get(reverse("referrals:signpost", args=["riverside", "00000000-0000-0000-0000-000000000000"])
                      ).status_code == 404
    assert not Signpost.objects.exists()
