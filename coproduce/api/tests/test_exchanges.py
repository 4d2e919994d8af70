"""Exchanges through the API: the same rules, the same words and the same ledger as the pages.
A member records help received (posted at once) or given (the other member confirms through their
own token, or declines); a repeated key records once; every bad request is a 400 naming its field
and posts nothing; a token without the "exchanges" scope, another community and someone else's
exchange are refused."""

import datetime

import pytest

from coproduce import testing
from coproduce.api import tokens
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Entry, Transfer
from coproduce.members.models import Membership

URL = "/api/v1/communities/riverside/exchanges"


def token(user, scopes=("exchanges", "read")):
    return tokens.create_token(user, name="app", scopes=list(scopes), days=7, two_factor_done=False)[1]


def post(client, raw, url=URL, **body):
    return client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")


def number(user, community) -> int:
    return Membership.objects.get(user=user, community=community).pk


def balance(user, community) -> int:
    return sum(Entry.objects.filter(account__membership__user=user, account__community=community)
               .values_list("amount", flat=True))


@pytest.fixture
def body(riverside, second_member):
    return {"direction": "received", "other_member": number(second_member, riverside), "minutes": 90,
            "performed_on": ledger.community_today(riverside).isoformat(), "description": "Fixed my bike",
            "idempotency_key": "bike-fix-0001"}


def test_help_received_is_posted_at_once_and_a_repeat_records_nothing(client, riverside, member, second_member,
                                                                      body):
    raw = token(member)
    made = post(client, raw, **body)
    assert made.status_code == 201, made.json()
    assert made.json()["status"] == "posted" and made.json()["minutes"] == 90
    assert (balance(member, riverside), balance(second_member, riverside)) == (-90, 90)
    again = post(client, raw, **body)
    assert again.json()["id"] == made.json()["id"] and Transfer.objects.count() == 1


def test_help_given_waits_for_the_other_member_who_answers_with_their_own_token(client, riverside, member,
                                                                                 second_member, body):
    made = post(client, token(member), **{**body, "direction": "gave"}).json()
    assert made["status"] == "pending" and balance(member, riverside) == 0
    theirs = token(second_member)
    waiting = client.get(f"{URL}/pending", HTTP_AUTHORIZATION=f"Bearer {theirs}").json()
    assert [w["id"] for w in waiting] == [made["id"]] and waiting[0]["recorded_by"] == member.name
    confirmed = post(client, theirs, f"{URL}/{made['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "posted"
    assert (balance(member, riverside), balance(second_member, riverside)) == (90, -90)

    declined = post(client, token(member), **{**body, "direction": "gave", "idempotency_key": "second-one"}).json()
    answer = post(client, theirs, f"{URL}/{declined['id']}/decline")
    assert answer.json()["status"] == "declined" and balance(member, riverside) == 90


def test_only_the_person_asked_may_answer(client, riverside, member, second_member, body):
    made = post(client, token(member), **{**body, "direction": "gave"}).json()
    third = testing.make_person("carol@example.org", "Carol Third")
    testing.join(third, riverside)
    refused = post(client, token(third), f"{URL}/{made['id']}/confirm")
    assert refused.status_code == 400 and refused.json()["errors"]
    own = post(client, token(member), f"{URL}/{made['id']}/confirm")  # nor the one who recorded it
    assert own.status_code == 400
    assert Transfer.objects.get(pk=made["id"]).status == "pending"


@pytest.mark.parametrize(("change", "field"), [
    ({"other_member": 999999}, "other_member"),
    ({"other_member": "self"}, "other_member"),
    ({"minutes": 0}, "minutes"),
    ({"minutes": 60 * 25}, "minutes"),
    ({"minutes": "ninety"}, "minutes"),
    ({"performed_on": "2999-01-01"}, "performed_on"),
    ({"category": 999999}, "category"),
    ({"direction": "sideways"}, "direction"),
    ({"idempotency_key": "x"}, "idempotency_key"),
    ({"description": "x" * 501}, "description"),
])
def test_a_bad_exchange_names_its_field_and_posts_nothing(client, riverside, member, body, change, field):
    if change.get("other_member") == "self":
        change = {"other_member": number(member, riverside)}
    response = post(client, token(member), **{**body, **change})
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert not Transfer.objects.exists()


def test_refusals_by_scope_community_and_membership(client, riverside, member, other_member, hilltop, body):
    read_only = post(client, token(member, scopes=("read",)), **body)
    assert read_only.status_code == 403 and not Transfer.objects.exists()
    # A member of another community is not a member here, whatever their number.
    outsider = post(client, token(member), **{**body, "other_member": number(other_member, hilltop)})
    assert outsider.status_code == 400 and "other_member" in outsider.json()["errors"]
    theirs = post(client, token(other_member), **body)
    assert theirs.status_code == 403
    assert post(client, token(member), "/api/v1/communities/riverside/exchanges/999999/confirm").status_code == 404
    assert not Transfer.objects.exists()


def test_a_date_before_the_community_started_is_the_ledgers_own_reason(client, riverside, member, body):
    before = (riverside.started_on - datetime.timedelta(days=1)).isoformat()
    response = post(client, token(member), **{**body, "performed_on": before})
    assert response.status_code == 400
    assert "before" in response.json()["errors"]["performed_on"][0]
    assert not Transfer.objects.exists()
