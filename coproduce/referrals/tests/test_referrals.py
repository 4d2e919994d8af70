import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coproduce.referrals import queries, services
from coproduce.referrals.models import Referral, ReferralStep


@pytest.fixture
def referral(surgery, staff, alice):
    return services.make_referral(surgery, actor=staff, reason="isolation", consent=True,
                                  note="Lives alone since spring", membership=alice)


def _url(name, community, *args):
    return reverse(f"referrals:{name}", args=[community.slug, *args])


def test_staff_refers_coordinator_links_referrer_sees_status(client, riverside, surgery, school, staff, other_staff,
                                                           coordinator, alice, bob):
    client.force_login(staff)
    response = client.post(_url("new", riverside), {
        "organisation": surgery.pk, "name": "Nora Newcomer", "contact": "01234 000000", "reason": "low_mood",
        "note": "Prefers mornings", "consent": "on"})
    assert response.status_code == 302
    mine = Referral.objects.get()
    other = services.make_referral(school, actor=other_staff, reason="carer", consent=True, membership=bob)

    client.force_login(coordinator)
    response = client.post(_url("advance", riverside, mine.pk), {
        "step": "contacted", "on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    client.post(_url("advance", riverside, mine.pk), {
        "step": "joined", "on": timezone.localdate().isoformat(), "member": f"#{alice.pk}"})
    mine.refresh_from_db()
    assert mine.step == "joined" and mine.membership == alice
    assert list(mine.steps.values_list("step", flat=True)) == ["received", "contacted", "joined"]

    client.force_login(staff)
    listing = client.get(_url("list", riverside))
    assert [r.pk for r in listing.context["referrals"]] == [mine.pk]
    detail = client.get(_url("detail", riverside, mine.pk))
    assert "Joined" in detail.text and "Prefers mornings" in detail.text
    assert client.get(_url("detail", riverside, other.pk)).status_code == 404


@pytest.mark.parametrize("persona,expected", [
    ("staff", 200), ("coordinator", 200), ("member", 200),  # the referrer, coordinators, the person
    ("second_member", 404), ("other_staff", 404), ("left_staff", 404), ("other_coordinator", 403),
    ("site_admin", 200), ("outsider", 403),
])
def test_who_sees_a_referral(client, request, persona, expected, riverside, referral, other_staff, left_staff):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url("detail", riverside, referral.pk))
    assert response.status_code == expected
    if expected == 200:
        assert "Lives alone since spring" in response.text


def test_only_active_staff_may_refer(client, riverside, member, left_staff, coordinator):
    for user in (member, left_staff, coordinator):
        client.force_login(user)
        assert client.get(_url("new", riverside)).status_code == 403


@pytest.mark.parametrize("changes,message", [
    ({"consent": False}, "consent"),
    ({"reason": "boredom"}, "Choose a reason from the list"),
    ({"name": "", "membership": None}, "Choose a member"),
])
def test_bad_referrals_write_nothing(surgery, staff, changes, message):
    kwargs = {"reason": "weight", "consent": True, "name": "Nora Newcomer", "membership": None, **changes}
    with pytest.raises(ValidationError, match=message):
        services.make_referral(surgery, actor=staff, **kwargs)
    assert not Referral.objects.exists() and not ReferralStep.objects.exists()


def test_referral_without_consent_through_the_form(client, riverside, surgery, staff):
    client.force_login(staff)
    response = client.post(_url("new", riverside), {"organisation": surgery.pk, "name": "Nora", "reason": "weight"})
    assert response.status_code == 200
    assert "needs their consent" in response.text
    assert not Referral.objects.exists()


def test_steps_go_forward_dated_and_close_with_a_reason(referral, coordinator, staff):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="Only coordinators"):
        services.advance_referral(referral, actor=staff, step="contacted")
    services.advance_referral(referral, actor=coordinator, step="contacted", on=today)
    with pytest.raises(ValidationError, match="after"):
        services.advance_referral(referral, actor=coordinator, step="received")
    with pytest.raises(ValidationError, match="future"):
        services.advance_referral(referral, actor=coordinator, step="joined", on=today + datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="Choose why"):
        services.advance_referral(referral, actor=coordinator, step="closed", closed_reason="bored")
    services.advance_referral(referral, actor=coordinator, step="first_exchange")
    services.advance_referral(referral, actor=coordinator, step="closed", closed_reason="settled")
    assert referral.steps.count() == 4
    with pytest.raises(ValidationError, match="closed"):
        services.advance_referral(referral, actor=coordinator, step="closed", closed_reason="settled")


def test_counts_by_reason_and_step(riverside, referral, surgery, staff):
    services.make_referral(surgery, actor=staff, reason="isolation", consent=True, name="Nora")
    counts = queries.counts(riverside)
    assert dict(counts["by_reason"])["isolation or loneliness"] == 2
    assert dict(counts["by_step"])["received"] == 2


def test_joining_after_a_group_referral_gives_a_place_in_the_group(riverside, surgery, staff, coordinator, alice):
    from coproduce.groups.services import active_place, create_group

    group = create_group(community=riverside, actor=coordinator, name="Weight-loss buddies", join_policy="request")
    referral = services.make_referral(surgery, actor=staff, reason="weight", consent=True, name="Alice",
                                      group=group)
    services.advance_referral(referral, actor=coordinator, step="joined", membership=alice)
    assert active_place(group, alice) is not None


def test_a_referrer_who_leaves_the_organisation_no_longer_sees_their_referral(client, riverside, referral, staff,
                                                                             coordinator):
    from coproduce.partners import services as partner_services

    client.force_login(staff)
    assert client.get(_url("detail", riverside, referral.pk)).status_code == 200
    partner_services.end_staff(staff.staff_roles.get(), actor=coordinator)
    assert client.get(_url("detail", riverside, referral.pk)).status_code == 404
    assert "isolation" not in client.get(_url("list", riverside)).content.decode().lower()
