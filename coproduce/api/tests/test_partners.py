"""What a partner's system does through the API (scope "partner"), for whom the partner pages let
do it: the organisation's active staff and the community's coordinators. Opportunities (list,
post), who signed up, attendance (credits members from the organisation's account through the
partner service and the ledger; a repeated key credits nobody twice), and the organisation's
referrals (staff see those they made, coordinators all; only staff refer). Every refusal changes
nothing."""

import datetime

import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.api.tests.client import errors, get, queries_for, send, token
from coproduce.ledger.models import Transfer
from coproduce.ledger.services import (
    account_for_membership,
    account_for_organisation,
    community_today,
)
from coproduce.members.models import Role
from coproduce.partners import services
from coproduce.partners.models import Opportunity, Signup
from coproduce.partners.tests.fixtures import membership
from coproduce.referrals import services as referrals
from coproduce.referrals.models import Referral

BASE = "/api/v1/communities/riverside"


@pytest.fixture
def garden_day(riverside, surgery, staff, alice, bob):
    """The surgery's garden day, today, 90 minutes each; Alice and Bob signed up."""
    opportunity = services.post_opportunity(surgery, actor=staff, title="Garden day", starts_on=community_today(
        riverside), places_needed=5, expected_minutes=90)
    for person in (alice, bob):
        services.sign_up(opportunity, membership=person, actor=person.user)
    return opportunity


@pytest.fixture
def who(member, staff, other_staff, left_staff, coordinator, other_coordinator):
    """A token for each kind of person, by name: (token, expected status for the surgery's pages)."""
    people = {
        "anonymous": (None, 401),
        "staff_without_scope": (token(staff, ("read", "exchanges", "posts")), 403),
        "member": (token(member), 403),
        "other_staff": (token(other_staff), 403),  # staff of the school, not of the surgery
        "left_staff": (token(left_staff), 403),
        "other_coordinator": (token(other_coordinator, two_factor_done=True), 403),  # another community's
        "staff": (token(staff, ("partner",)), 200),
        "coordinator": (token(coordinator, ("partner",), two_factor_done=True), 200),
    }
    return people


ROLES = ["anonymous", "staff_without_scope", "member", "other_staff", "left_staff", "other_coordinator", "staff",
         "coordinator"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_organisations_lists(client, surgery, garden_day, who, role):
    raw, expected = who[role]
    for url in (f"{BASE}/partners/{surgery.pk}/opportunities", f"{BASE}/opportunities/{garden_day.pk}/signups",
                f"{BASE}/partners/{surgery.pk}/referrals"):
        response = get(client, raw, url)
        assert response.status_code == expected, (url, response.json())
        if expected != 200:
            assert errors(response)["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_confirm_attendance(client, riverside, surgery, garden_day, alice, who, role):
    raw, expected = who[role]
    body = {"performed_on": community_today(riverside).isoformat(), "idempotency_key": "garden-day-0001",
            "attended": [{"member": alice.pk, "minutes": 90}]}
    response = send(client, raw, f"{BASE}/opportunities/{garden_day.pk}/attendance", **body)
    assert response.status_code == (201 if expected == 200 else expected), response.json()
    assert account_for_membership(alice).balance == (90 if expected == 200 else 0)


def test_the_lists_show_the_organisations_own(client, riverside, surgery, school, staff, other_staff, garden_day,
                                              alice, bob):
    services.post_opportunity(school, actor=other_staff, title="Reading helpers", starts_on=community_today(riverside))
    raw = token(staff, ("partner",))
    page = get(client, raw, f"{BASE}/partners/{surgery.pk}/opportunities").json()
    assert [(o["title"], o["signed_up"], o["expected_minutes"]) for o in page["results"]] == [("Garden day", 2, 90)]
    signups = get(client, raw, f"{BASE}/opportunities/{garden_day.pk}/signups").json()["results"]
    assert [(s["name"], s["member"], s["minutes"]) for s in signups] == [
        ("Alice Ashby", alice.pk, None), ("Bob Brown", bob.pk, None)]
    # The school's opportunity is not the surgery's, whoever asks.
    assert get(client, raw, f"{BASE}/opportunities/{Opportunity.objects.get(title='Reading helpers').pk}/signups"
               ).status_code == 403


def test_staff_post_an_opportunity(client, riverside, surgery, staff):
    made = send(client, token(staff, ("partner",)), f"{BASE}/partners/{surgery.pk}/opportunities",
                title="Litter pick", starts_on=community_today(riverside).isoformat(), places_needed=10,
                expected_minutes=120, times="10am to 12 noon")
    assert made.status_code == 201, made.json()
    assert made.json()["title"] == "Litter pick" and made.json()["signed_up"] == 0
    opportunity = Opportunity.objects.get(pk=made.json()["id"])
    assert (opportunity.organisation, opportunity.created_by, opportunity.expected_minutes) == (surgery, staff, 120)


@pytest.mark.parametrize(("change", "field"), [
    ({"title": " "}, "title"),
    ({"starts_on": "2001-01-01"}, "starts_on"),  # before the time bank started
    ({"ends_on": "2000-01-01"}, "ends_on"),
    ({"places_needed": 0}, "places_needed"),
    ({"expected_minutes": 7}, "expected_minutes"),
    ({"check_required": "passport"}, "check_required"),
])
def test_a_bad_opportunity_names_its_field_and_posts_nothing(client, riverside, surgery, staff, change, field):
    body = {"title": "Litter pick", "starts_on": community_today(riverside).isoformat(), **change}
    response = send(client, token(staff, ("partner",)), f"{BASE}/partners/{surgery.pk}/opportunities", **body)
    assert response.status_code == 400 and field in errors(response), response.json()
    assert not Opportunity.objects.exists()


def test_posting_is_refused_to_others(client, riverside, surgery, member, other_staff, hilltop, other_coordinator):
    body = {"title": "Litter pick", "starts_on": community_today(riverside).isoformat()}
    url = f"{BASE}/partners/{surgery.pk}/opportunities"
    assert send(client, token(member), url, **body).status_code == 403
    assert send(client, token(other_staff), url, **body).status_code == 403
    hill = services.save_organisation(community=hilltop, actor=other_coordinator, name="Hill Library", type="library")
    assert send(client, token(other_staff), f"{BASE}/partners/{hill.pk}/opportunities", **body).status_code == 404
    assert not Opportunity.objects.exists()


def test_attendance_credits_each_person_from_the_organisation_once(client, riverside, surgery, staff, garden_day,
                                                                   alice, bob):
    raw = token(staff, ("partner",))
    url = f"{BASE}/opportunities/{garden_day.pk}/attendance"
    body = {"performed_on": community_today(riverside).isoformat(), "idempotency_key": "garden-day-0001",
            "attended": [{"member": alice.pk, "minutes": 90}, {"member": bob.pk, "minutes": 60}]}
    done = send(client, raw, url, **body)
    assert done.status_code == 201, done.json()
    assert done.json()["transfer_status"] == "posted" and sorted(done.json()["credited"]) == sorted([alice.pk, bob.pk])
    assert (account_for_membership(alice).balance, account_for_membership(bob).balance) == (90, 60)
    assert account_for_organisation(surgery).balance == -150
    again = send(client, raw, url, **body)  # the same key: the first transfer stands
    assert again.json()["transfer"] == done.json()["transfer"] and Transfer.objects.count() == 1
    fresh = send(client, raw, url, **{**body, "idempotency_key": "garden-day-0002"})
    assert fresh.status_code == 400 and "already been confirmed" in str(errors(fresh))
    assert account_for_organisation(surgery).balance == -150
    assert Signup.objects.get(membership=alice).minutes == 90


@pytest.mark.parametrize(("change", "field"), [
    ({"attended": [{"member": 999999, "minutes": 90}]}, "attended"),
    ({"attended": [{"member": "alice", "minutes": 90}]}, "attended"),
    ({"minutes": 7}, "minutes"),
    ({"performed_on": "2999-01-01"}, "performed_on"),
    ({"idempotency_key": "x"}, "idempotency_key"),
    ({"attended": []}, "non_field_errors"),
])
def test_bad_attendance_names_its_field_and_credits_nobody(client, riverside, surgery, staff, garden_day, alice,
                                                           change, field):
    body = {"performed_on": community_today(riverside).isoformat(), "idempotency_key": "garden-day-0001",
            "attended": [{"member": alice.pk, "minutes": change.pop("minutes", 90)}], **change}
    response = send(client, token(staff, ("partner",)), f"{BASE}/opportunities/{garden_day.pk}/attendance", **body)
    assert response.status_code == 400 and field in errors(response), response.json()
    assert not Transfer.objects.exists() and account_for_membership(alice).balance == 0


def test_everyone_came_credits_the_expected_time_and_says_who_was_skipped(client, riverside, surgery, staff,
                                                                          garden_day, alice, bob):
    services.confirm_attendance(garden_day, actor=staff, attended=[(alice, 30)],
                                performed_on=community_today(riverside), idempotency_key="first-by-hand")
    url = f"{BASE}/opportunities/{garden_day.pk}/attendance/everyone-came"
    body = {"performed_on": community_today(riverside).isoformat(), "idempotency_key": "everyone-0001"}
    done = send(client, token(staff, ("partner",)), url, **body)
    assert done.status_code == 201, done.json()
    assert done.json()["credited"] == [bob.pk] and done.json()["skipped"][0]["member"] == alice.pk
    assert (account_for_membership(alice).balance, account_for_membership(bob).balance) == (30, 90)
    again = send(client, token(staff, ("partner",)), url, **body)
    assert again.json()["repeated"] is True and account_for_membership(bob).balance == 90
    assert send(client, token(bob.user), url, **body).status_code == 403


@pytest.fixture
def sue(riverside, coordinator, surgery):
    """A second member of the surgery's staff."""
    user = testing.make_person("sue@example.org", "Sue Surgery")
    testing.join(user, riverside, role=Role.PARTNER_STAFF)
    services.add_staff(surgery, actor=coordinator, membership=membership(user, riverside),
                       started_on=timezone.localdate() - datetime.timedelta(days=3))
    return user


def test_referrals_staff_make_and_see_their_own(client, riverside, surgery, staff, sue, coordinator, alice):
    theirs = referrals.make_referral(surgery, actor=sue, reason="isolation", consent=True, name="Pat New")
    url = f"{BASE}/partners/{surgery.pk}/referrals"
    made = send(client, token(staff, ("partner",)), url, member=alice.pk, reason="low_mood", consent=True,
                note="Lives alone since March")
    assert made.status_code == 201, made.json()
    assert (made.json()["person"], made.json()["member"], made.json()["step"]) == ("Alice Ashby", alice.pk,
                                                                                   "received")
    referral = Referral.objects.get(pk=made.json()["id"])
    assert (referral.organisation, referral.referred_by, referral.note) == (surgery, staff, "Lives alone since March")
    # Staff see the referrals they made (as the referrals page shows them), coordinators every one.
    assert [r["id"] for r in get(client, token(staff, ("partner",)), url).json()["results"]] == [referral.pk]
    assert {r["id"] for r in get(client, token(coordinator, ("partner",), two_factor_done=True), url
                                 ).json()["results"]} == {referral.pk, theirs.pk}
    # Only staff refer, as the page: a coordinator who is not staff is refused.
    refused = send(client, token(coordinator, ("partner",), two_factor_done=True), url, name="X", reason="other",
                   consent=True)
    assert refused.status_code == 403 and Referral.objects.count() == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Pat New", "reason": "low_mood", "consent": False}, "consent"),
    ({"reason": "low_mood", "consent": True}, "name"),
    ({"member": 999999, "reason": "low_mood", "consent": True}, "member"),
    ({"name": "Pat New", "reason": "boredom", "consent": True}, "reason"),
    ({"name": "Pat New", "reason": "other", "consent": True, "group": 999999}, "group"),
    ({"name": "Pat New", "reason": "other", "consent": True, "service": "7f1a0b0e-0000-4000-8000-000000000000"},
     "service"),
    ({"name": "Pat New", "reason": "other", "consent": True, "note": "x" * 501}, "note"),
])
def test_a_bad_referral_names_its_field_and_makes_nothing(client, surgery, staff, body, field):
    response = send(client, token(staff, ("partner",)), f"{BASE}/partners/{surgery.pk}/referrals", **body)
    assert response.status_code == 400 and field in errors(response), response.json()
    assert not Referral.objects.exists()


def test_the_lists_cost_the_same_queries_for_few_and_many(client, riverside, surgery, staff, coordinator):
    raw = token(staff, ("partner",))
    people = [testing.join(testing.make_person(f"m{n}@example.org", f"Member {n}"), riverside) for n in range(30)]
    day = services.post_opportunity(surgery, actor=staff, title="Day 0", starts_on=community_today(riverside),
                                    places_needed=40)
    calls = {
        "opportunities": lambda: get(client, raw, f"{BASE}/partners/{surgery.pk}/opportunities"),
        "signups": lambda: get(client, raw, f"{BASE}/opportunities/{day.pk}/signups"),
        "referrals": lambda: get(client, raw, f"{BASE}/partners/{surgery.pk}/referrals"),
    }
    services.sign_up(day, membership=people[0], actor=people[0].user)
    referrals.make_referral(surgery, actor=staff, reason="other", consent=True, membership=people[0])
    queries_for(client, calls["opportunities"])
    few = {name: queries_for(client, call) for name, call in calls.items()}
    for n, person in enumerate(people[1:], start=1):
        services.post_opportunity(surgery, actor=staff, title=f"Day {n}", starts_on=community_today(riverside))
        services.sign_up(day, membership=person, actor=person.user)
        referrals.make_referral(surgery, actor=staff, reason="other", consent=True, membership=person)
    assert calls["signups"]().json()["count"] == 30
    assert {name: queries_for(client, call) for name, call in calls.items()} == few
