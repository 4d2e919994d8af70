"""Opportunities with an expected time, and the "Everyone came" shortcut that credits it.

The shortcut credits, in one group exchange through the ledger, each person who signed up and
has not been credited yet; it skips (and names) the others, and pressing it twice credits
nobody twice.
"""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.ledger.queries import check_ledger
from coproduce.ledger.services import (
    account_for_membership,
    account_for_organisation,
    new_key,
    set_limit_exception,
)
from coproduce.members.services import leave_community
from coproduce.partners import services
from coproduce.partners.models import Opportunity, Signup


def _today():
    return timezone.localdate()


@pytest.fixture
def carl(riverside):
    from coproduce import testing
    from coproduce.partners.tests.fixtures import membership

    user = testing.make_person("carl@example.org", "Carl Cooper")
    testing.join(user, riverside)
    return membership(user, riverside)


@pytest.fixture
def garden_day(surgery, staff):
    return services.post_opportunity(surgery, actor=staff, title="Garden day", starts_on=_today(),
                                     places_needed=5, expected_minutes=90)


def _sign_up(opportunity, *people):
    for person in people:
        services.sign_up(opportunity, membership=person, actor=person.user)


def _everyone_came(opportunity, actor, key=None):
    return services.confirm_everyone_came(opportunity, actor=actor, performed_on=_today(),
                                          idempotency_key=key or new_key())


# ---------------------------------------------------------------------------- the service


def test_everyone_not_yet_credited_gets_the_expected_time_in_one_transfer(riverside, surgery, staff, garden_day,
                                                                        alice, bob, carl):
    _sign_up(garden_day, alice, bob, carl)
    services.confirm_attendance(garden_day, actor=staff, attended=[(alice, 60)], performed_on=_today(),
                                idempotency_key=new_key())

    result = _everyone_came(garden_day, staff)

    assert [m.user.name for m in result.credited] == ["Bob Brown", "Carl Cooper"]
    assert [(m.user.name, why) for m, why in result.skipped] == [
        ("Alice Ashby", f"already credited 1 hour on {_today():%-d %B %Y}")]
    assert result.transfer.status == TransferStatus.POSTED
    assert account_for_membership(alice).balance == 60  # not credited twice
    assert account_for_membership(bob).balance == 90
    assert account_for_membership(carl).balance == 90
    assert account_for_organisation(surgery).balance == -240
    assert dict(Signup.objects.values_list("membership__user__name", "minutes")) == {
        "Alice Ashby": 60, "Bob Brown": 90, "Carl Cooper": 90}
    assert check_ledger(riverside)[1] == []


def test_pressing_it_twice_credits_nobody_twice(surgery, staff, garden_day, alice, bob):
    _sign_up(garden_day, alice, bob)
    key = new_key()
    first = _everyone_came(garden_day, staff, key)
    again = _everyone_came(garden_day, staff, key)  # the same form sent twice
    assert again.repeated and again.transfer == first.transfer
    assert {m.pk for m in again.credited} == {alice.pk, bob.pk}

    fresh = _everyone_came(garden_day, staff)  # the page reloaded and pressed again
    assert fresh.credited == [] and fresh.transfer is None
    assert {m.pk for m, _why in fresh.skipped} == {alice.pk, bob.pk}
    assert Transfer.objects.count() == 1
    assert account_for_membership(alice).balance == 90
    assert account_for_organisation(surgery).balance == -180


def test_someone_who_left_is_skipped_with_the_reason(staff, garden_day, alice, bob):
    _sign_up(garden_day, alice, bob)
    leave_community(bob, actor=bob.user)
    result = _everyone_came(garden_day, staff)
    assert [m.pk for m in result.credited] == [alice.pk]
    assert [why for _m, why in result.skipped] == ["no longer a member here"]


def test_without_an_expected_time_nothing_is_written(surgery, staff, alice):
    opportunity = services.post_opportunity(surgery, actor=staff, title="Reading helper", starts_on=_today())
    _sign_up(opportunity, alice)
    with pytest.raises(ValidationError, match="has no expected time"):
        _everyone_came(opportunity, staff)
    assert not Transfer.objects.exists()


def test_the_organisations_floor_applies_and_nothing_is_written(coordinator, surgery, staff, garden_day,
                                                                alice, bob):
    set_limit_exception(account_for_organisation(surgery), actor=coordinator, min_minutes=-120,
                        max_minutes=None, reason="Small budget")
    _sign_up(garden_day, alice, bob)  # 2 × 1 hour 30 minutes would take it to −3 hours
    with pytest.raises(ValidationError, match="below their lowest balance"):
        _everyone_came(garden_day, staff)
    assert not Transfer.objects.exists()
    assert not Signup.objects.filter(transfer__isnull=False).exists()


def test_over_the_ceiling_it_waits_for_a_coordinator_as_one_by_one_would(riverside, staff, garden_day, alice):
    riverside.approval_ceiling_minutes = 60
    riverside.save(update_fields=["approval_ceiling_minutes"])
    _sign_up(garden_day, alice)
    result = _everyone_came(garden_day, staff)
    assert result.transfer.status == TransferStatus.HELD
    assert account_for_membership(alice).balance == 0
    again = _everyone_came(garden_day, staff)
    assert again.credited == [] and "waits for a coordinator's approval" in again.skipped[0][1]


def test_only_the_organisations_staff_and_coordinators(coordinator, garden_day, alice, other_staff, left_staff,
                                                       other_coordinator):
    _sign_up(garden_day, alice)
    for user in (alice.user, other_staff, left_staff, other_coordinator):
        with pytest.raises(ValidationError, match="own staff and coordinators"):
            _everyone_came(garden_day, user)
    assert not Transfer.objects.exists()
    assert _everyone_came(garden_day, coordinator).credited == [alice]


def test_expected_time_must_fit_one_ledger_line(surgery, staff):
    with pytest.raises(ValidationError) as error:
        services.post_opportunity(surgery, actor=staff, title="Marathon", starts_on=_today(),
                                  expected_minutes=25 * 60)
    assert "expected_minutes" in error.value.error_dict
    assert not Opportunity.objects.exists()


# ---------------------------------------------------------------------------- the pages


def _everyone_url(opportunity):
    return reverse("partners:everyone_came", args=["riverside", opportunity.pk])


def _texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_expected_time_is_typed_as_people_write_it_and_shown(client, riverside, surgery, staff):
    client.force_login(staff)
    url = reverse("partners:opportunity_new", args=["riverside", surgery.pk])
    response = client.post(url, {"title": "Litter pick", "starts_on": _today().isoformat(), "places_needed": 4,
                                 "expected_minutes": "1:30"})
    opportunity = Opportunity.objects.get()
    assert response.status_code == 302 and opportunity.expected_minutes == 90
    page = client.get(reverse("partners:opportunity", args=["riverside", opportunity.pk])).content.decode()
    assert "1 hour 30 minutes each" in page
    detail = client.get(reverse("partners:detail", args=["riverside", surgery.pk])).content.decode()
    assert "about 1 hour 30 minutes each" in detail

    response = client.post(url, {"title": "Too long", "starts_on": _today().isoformat(), "places_needed": 1,
                                 "expected_minutes": "25 hours"})
    assert response.status_code == 200 and "Enter at most 24 hours." in response.content.decode()
    assert Opportunity.objects.count() == 1


def test_attendance_page_fills_in_the_expected_time_and_offers_everyone_came(client, staff, garden_day, alice):
    _sign_up(garden_day, alice)
    client.force_login(staff)
    page = client.get(reverse("partners:attendance", args=["riverside", garden_day.pk])).content.decode()
    signup = Signup.objects.get()
    assert f'name="minutes_{signup.pk}" value="1 hour 30 minutes"' in page
    assert _everyone_url(garden_day) in page
    assert "Credit 1 hour 30 minutes to the 1 person not yet credited." in page


def test_everyone_came_page_says_who_was_credited_and_who_was_skipped(client, staff, garden_day, alice, bob,
                                                                     carl):
    _sign_up(garden_day, alice, bob, carl)
    services.confirm_attendance(garden_day, actor=staff, attended=[(carl, 30)], performed_on=_today(),
                                idempotency_key=new_key())
    client.force_login(staff)
    data = {"everyone-token": "everyone-1", "everyone-performed_on": _today().isoformat()}
    response = client.post(_everyone_url(garden_day), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:opportunity", args=["riverside", garden_day.pk])
    credited, skipped = _texts(response)
    assert credited == ("2 people credited 1 hour 30 minutes each: Alice Ashby, Bob Brown. Time credited.")
    assert skipped == (f"1 person was skipped. Carl Cooper: already credited 30 minutes on "
                       f"{_today():%-d %B %Y}.")

    client.get(response["Location"])  # the banners are shown once
    again = client.post(_everyone_url(garden_day), data)  # a double click
    assert _texts(again)[0].startswith("This was already recorded. 2 people credited")
    assert Transfer.objects.count() == 2
    assert account_for_membership(alice).balance == 90


def test_everyone_came_with_a_date_outside_the_opportunity_writes_nothing(client, staff, garden_day, alice):
    _sign_up(garden_day, alice)
    client.force_login(staff)
    response = client.post(_everyone_url(garden_day), {
        "everyone-token": "e-1", "everyone-performed_on": "2016-01-01"})
    assert response.status_code == 200
    assert "Give a date the opportunity ran" in response.content.decode()
    response = client.post(_everyone_url(garden_day), {"everyone-token": "e-2", "everyone-performed_on": "soon"})
    assert response.status_code == 200 and "Enter a valid date." in response.content.decode()
    assert not Transfer.objects.exists()


def test_held_credits_are_told_as_they_are(client, riverside, staff, garden_day, alice):
    riverside.approval_ceiling_minutes = 60
    riverside.save(update_fields=["approval_ceiling_minutes"])
    _sign_up(garden_day, alice)
    client.force_login(staff)
    response = client.post(_everyone_url(garden_day), {"everyone-token": "e-1",
                                                       "everyone-performed_on": _today().isoformat()})
    assert "wait for a coordinator's approval" in _texts(response)[0]


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 302), ("member", 403), ("other_staff", 403), ("left_staff", 403), ("other_coordinator", 403),
    ("other_member", 403), ("staff", 302), ("coordinator", 302)])
def test_who_may_press_everyone_came(client, request, persona, status, garden_day, alice, bob, other_staff,
                                     left_staff):
    _sign_up(garden_day, bob)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.post(_everyone_url(garden_day), {"everyone-token": "e-1",
                                                       "everyone-performed_on": _today().isoformat()})
    assert response.status_code == status
    if persona == "anonymous":
        assert "/accounts/login/" in response["Location"]
    credited = persona in ("staff", "coordinator")
    assert Transfer.objects.exists() == credited
    assert account_for_membership(bob).balance == (90 if credited else 0)
    assert client.get(_everyone_url(garden_day)).status_code == (405 if persona != "anonymous" else 302)


def test_an_older_opportunity_is_given_an_expected_time_by_its_staff(client, staff, surgery, alice, bob,
                                                                     other_staff):
    opportunity = services.post_opportunity(surgery, actor=staff, title="Reading helper", starts_on=_today(),
                                            places_needed=2)
    _sign_up(opportunity, alice, bob)
    url = reverse("partners:opportunity_edit", args=["riverside", opportunity.pk])
    data = {"title": "Reading helper", "starts_on": _today().isoformat(), "places_needed": 2,
            "expected_minutes": "2 hours"}
    for outsider in (alice.user, other_staff):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    client.force_login(staff)
    assert client.get(url).context["form"].initial["title"] == "Reading helper"
    response = client.post(url, {**data, "places_needed": 1})  # two people have signed up already
    assert response.status_code == 200 and "2 people have already signed up." in response.content.decode()
    assert client.post(url, data).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.expected_minutes == 120
    attendance = client.get(reverse("partners:attendance", args=["riverside", opportunity.pk]))
    assert _everyone_url(opportunity) in attendance.content.decode()


def test_changing_an_opportunity_is_audited_with_what_changed(staff, garden_day):
    from coproduce.audit.models import AuditAction, AuditEntry

    services.change_opportunity(garden_day, actor=staff, expected_minutes=150, title=garden_day.title)
    entry = AuditEntry.objects.get(action=AuditAction.OPPORTUNITY_CHANGED)
    assert entry.actor == staff and entry.detail["opportunity"] == garden_day.pk
    assert entry.detail["changed"] == ["expected_minutes"]
