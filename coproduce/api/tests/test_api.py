"""The API's first slice (issue 17): personal access tokens (made on the account page, shown once,
hashed, scoped, expiring, revocable; coordinators only with two-factor), and what a member app
reads first: who I am, my balance, my statement. Every refusal is JSON with a 4xx status."""

import datetime

import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.api import tokens
from coproduce.api.models import AccessToken
from coproduce.api.throttling import PerToken
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Entry
from coproduce.members.models import Membership


def make(user, scopes=("read",), days=30, two_factor_done=False):
    return tokens.create_token(user, name="my phone", scopes=list(scopes), days=days,
                               two_factor_done=two_factor_done)


def call(client, url, raw=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    return client.get(url, **headers, **extra)


def errors(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    return response.json()["errors"]


@pytest.fixture
def exchanged(riverside, member, second_member):
    """Alice helped Bob for 90 minutes, then Bob helped Alice for 30: two lines on each statement."""
    alice = Membership.objects.get(user=member, community=riverside)
    bob = Membership.objects.get(user=second_member, community=riverside)
    today = ledger.community_today(riverside)
    for giver, receiver, minutes in ((alice, bob, 90), (bob, alice, 30)):
        ledger.record_exchange(community=riverside, giver=giver, receiver=receiver, minutes=minutes,
                               performed_on=today, keyed_by=receiver.user, idempotency_key=ledger.new_key(),
                               description=f"help worth {minutes}")
    return alice


def test_a_member_makes_a_token_on_the_account_page_and_sees_it_once(client, member):
    client.force_login(member)
    assert "/me/tokens/" in client.get("/me/").content.decode()
    made = client.post("/me/tokens/", {"name": "my phone", "scopes": ["read"], "days": "90"})
    assert made.status_code == 201 and "no-store" in made["Cache-Control"]
    raw = made.context["made"]
    assert raw.startswith("cpat_") and raw in made.content.decode()
    token = AccessToken.objects.get(user=member)
    assert raw.split("_", 2)[2] not in token.secret_hash and token.scopes == ["read"]  # the secret may hold "_"
    assert (token.expires_at - token.created_at).days == 90
    again = client.get("/me/tokens/").content.decode()
    assert "my phone" in again and raw not in again  # shown once
    assert AuditEntry.objects.filter(action=AuditAction.API_TOKEN_CREATED, actor=member).exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "scopes": ["read"], "days": "90"}, "name"),
    ({"name": "x", "days": "90"}, "scopes"),
    ({"name": "x", "scopes": ["everything"], "days": "90"}, "scopes"),
    ({"name": "x", "scopes": ["read"], "days": "1000"}, "days"),
])
def test_a_bad_token_form_says_what_is_wrong_and_makes_nothing(client, member, data, field):
    client.force_login(member)
    response = client.post("/me/tokens/", data)
    assert response.status_code == 400 and response.context["form"].errors[field]
    assert not AccessToken.objects.exists()


def test_me_balance_and_statement_for_the_tokens_person(client, riverside, member, exchanged):
    _token, raw = make(member)
    me = call(client, "/api/v1/me", raw)
    assert me.status_code == 200
    assert me.json() == {"id": member.pk, "name": member.name, "email": member.email,
                         "communities": [{"slug": "riverside", "name": riverside.name, "role": "member"}]}

    balance = call(client, "/api/v1/communities/riverside/balance", raw).json()
    entries = list(Entry.objects.filter(account__membership=exchanged).order_by("id"))
    assert balance["minutes"] == sum(e.amount for e in entries) == 60  # recomputed from the entries
    assert balance["lowest_minutes"] == riverside.min_balance_minutes

    page = call(client, "/api/v1/communities/riverside/statement?page_size=1", raw).json()
    assert page["count"] == 2 and page["next"] and page["previous"] is None
    first = page["results"][0]
    assert (first["minutes"], first["balance_after"], first["description"]) == (-30, 60, "help worth 30")
    assert first["transfer"] == entries[-1].transfer_id and "Bob" in first["other_side"]
    second = call(client, page["next"].replace("http://testserver", ""), raw).json()
    assert [line["minutes"] for line in second["results"]] == [90] and second["next"] is None


def test_a_new_member_has_a_zero_balance_and_an_empty_statement_and_nothing_is_made(client, member):
    _token, raw = make(member)
    assert call(client, "/api/v1/communities/riverside/balance", raw).json()["minutes"] == 0
    assert call(client, "/api/v1/communities/riverside/statement", raw).json()["count"] == 0
    from coproduce.ledger.models import Account
    assert not Account.objects.filter(membership__user=member).exists()  # a GET writes nothing


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/communities/hilltop/balance", 403),  # a community they are not in
    ("/api/v1/communities/hilltop/statement", 403),
    ("/api/v1/communities/nowhere/balance", 404),
])
def test_another_communitys_account_is_refused(client, member, hilltop, url, status):
    _token, raw = make(member)
    response = call(client, url, raw)
    assert response.status_code == status and errors(response)["detail"]


def test_without_a_good_token_nothing_is_answered(client, member):
    _token, raw = make(member)
    for header in (None, "cpat_nope_nope", raw[:-1] + ("A" if raw[-1] != "A" else "B"), "something else"):
        response = call(client, "/api/v1/me", header)
        assert response.status_code == 401, header
        assert errors(response)["detail"] and response["WWW-Authenticate"].startswith("Bearer")
    session = client  # a logged-in browser session is not a way into the API
    session.force_login(member)
    assert session.get("/api/v1/me").status_code == 401


def test_revoked_and_expired_tokens_stop_working(client, member, second_member):
    token, raw = make(member)
    assert call(client, "/api/v1/me", raw).status_code == 200
    client.force_login(second_member)
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 404  # not theirs
    client.force_login(member)
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 302
    refused = call(client, "/api/v1/me", raw)
    assert refused.status_code == 401 and "revoked" in errors(refused)["detail"][0]
    assert AuditEntry.objects.filter(action=AuditAction.API_TOKEN_REVOKED, actor=member).count() == 1

    later, raw = make(member, days=7)
    AccessToken.objects.filter(pk=later.pk).update(created_at=timezone.now() - datetime.timedelta(days=8),
                                                   expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = call(client, "/api/v1/me", raw)
    assert expired.status_code == 401 and "expired" in errors(expired)["detail"][0]


def test_a_token_does_only_what_its_scopes_say(client, member):
    _token, raw = make(member, scopes=("posts",))
    refused = call(client, "/api/v1/me", raw)
    assert refused.status_code == 403 and "read" in errors(refused)["detail"][0]


def test_coordinators_use_tokens_only_when_made_after_two_factor(client, riverside, member, coordinator):
    with pytest.raises(Exception, match="authenticator"):
        make(coordinator)
    # A member's token stops working when they become a coordinator: it was made without 2FA.
    _token, raw = make(member)
    Membership.objects.filter(user=member, community=riverside).update(role="coordinator")
    assert call(client, "/api/v1/me", raw).status_code == 401
    # Made on the page in a session that passed the authenticator step, it works.
    client.force_login(coordinator)
    testing.record_two_factor_login(client, coordinator)
    made = client.post("/me/tokens/", {"name": "office", "scopes": ["read"], "days": "30"})
    assert made.status_code == 201
    assert AccessToken.objects.get(user=coordinator).with_two_factor
    assert call(client, "/api/v1/me", made.context["made"]).status_code == 200


def test_each_token_has_its_own_rate_limit(client, member, monkeypatch):
    monkeypatch.setattr(PerToken, "THROTTLE_RATES", {"token": "3/min", "anonymous": "3/min"})
    _one, first = make(member)
    _two, second = make(member)
    assert [call(client, "/api/v1/me", first).status_code for _i in range(4)] == [200, 200, 200, 429]
    limited = call(client, "/api/v1/me", first)
    assert limited.status_code == 429 and errors(limited)["detail"] and limited["Retry-After"]
    assert call(client, "/api/v1/me", second).status_code == 200


def test_the_schema_and_its_reference_page_are_open(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    data = schema.json()
    assert data["openapi"].startswith("3.") and data["info"]["version"] == "1.0.0"
    assert {"/api/v1/me", "/api/v1/communities/{slug}/balance", "/api/v1/communities/{slug}/statement"} <= set(
        data["paths"])
    assert data["components"]["securitySchemes"]["accessToken"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs/")
    page = docs.content.decode()
    assert docs.status_code == 200
    for path, methods in data["paths"].items():  # the reference names every operation in the schema
        for method in methods:
            assert f"{method.upper()} {path}" in page
    assert all(f'id="shape-{name}"' in page for name in data["components"]["schemas"])


def test_any_other_api_address_is_a_json_404(client, member):
    _token, raw = make(member)
    for url in ("/api/v1/nothing", "/api/v1/communities/not a slug/balance", "/api/v2/me"):
        response = call(client, url, raw)
        assert response.status_code == 404 and errors(response)["detail"], url


def test_the_schema_builds_without_a_warning(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/communities/{slug}/statement" in (tmp_path / "schema.yml").read_text()


def test_a_statement_page_costs_the_same_queries_for_few_and_many_lines(client, riverside, member, second_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice = Membership.objects.get(user=member, community=riverside)
    bob = Membership.objects.get(user=second_member, community=riverside)
    _token, raw = make(member)

    def exchanges(n):
        for _i in range(n):
            ledger.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=15,
                                   performed_on=ledger.community_today(riverside), keyed_by=second_member,
                                   idempotency_key=ledger.new_key())

    def queries_for_a_page():
        with CaptureQueriesContext(connection) as queries:
            assert call(client, "/api/v1/communities/riverside/statement", raw).status_code == 200
        return len(queries)

    exchanges(2)
    queries_for_a_page()  # the token's first use this minute also notes when it was used
    few = queries_for_a_page()
    exchanges(30)
    assert queries_for_a_page() == few
