"""The pages: who may open each one, the counter's flow with a code and with a card, clear errors
with nothing changed, and a constant number of queries as venues list more."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coproduce.partners.models import Listing, Redemption
from coproduce.partners.services import save_listing
from coproduce.rewards import services
from coproduce.rewards.models import RedemptionCode

SPEND = "/c/riverside/spend/"


def counter(pool):
    return f"/c/riverside/partners/{pool.pk}/counter/"


@pytest.mark.parametrize(
    ("persona", "spend", "counter_status"),
    [
        ("anonymous", 302, 302),
        ("other_member", 403, 403),  # another community
        ("member", 200, 403),
        ("staff", 200, 403),  # staff of another organisation here
        ("pat", 200, 200),  # the venue's own staff
        ("coordinator", 200, 200),
    ],
)
def test_who_opens_what(client, request, pool, pat, staff, swim, persona, spend, counter_status):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(SPEND).status_code == spend
    assert client.get(counter(pool)).status_code == counter_status
    assert client.post(f"/c/riverside/spend/{swim.pk}/code/").status_code in (
        (302,) if persona in ("member", "staff", "pat", "coordinator") else (302, 403))


def test_only_members_get_codes_and_only_their_own_page_shows_it(client, alice, member, second_member,
                                                                  site_admin, swim):
    from coproduce.testing import record_two_factor_login

    client.force_login(site_admin)  # sees every community, but has no account in this one
    record_two_factor_login(client, site_admin)
    refused = client.post(f"/c/riverside/spend/{swim.pk}/code/")
    assert refused.status_code == 403 and not RedemptionCode.objects.exists()
    client.force_login(member)
    made = client.post(f"/c/riverside/spend/{swim.pk}/code/")
    code = RedemptionCode.objects.get()
    assert made["Location"] == f"/c/riverside/spend/codes/{code.code}/"
    page = client.get(made["Location"]).content.decode()
    assert code.code in page and 'src="data:image/svg+xml;base64,' in page and "Valid until" in page
    client.force_login(second_member)
    assert client.get(made["Location"]).status_code == 404


def test_the_counter_with_a_code(client, riverside, alice, member, pat, pool, swim):
    code = services.issue_code(swim, membership=alice, actor=member)
    client.force_login(pat)
    looked_up = client.get(counter(pool), {"code": code.code.lower()}).content.decode()
    assert "Check and confirm" in looked_up and "Alice Ashby" in looked_up and "A swim" in looked_up
    assert not Redemption.objects.exists()  # looking up takes nothing
    done = client.post(counter(pool), {"code": code.code})
    assert done.status_code == 200 and "A swim for Alice Ashby: 1 hour from their credits." in done.content.decode()
    again = client.post(counter(pool), {"code": code.code}).content.decode()
    assert "Already done" in again and Redemption.objects.count() == 1
    client.force_login(member)
    assert "Used at" in client.get(f"/c/riverside/spend/codes/{code.code}/").content.decode()
    statement = client.get("/c/riverside/ledger/").content.decode()
    assert "Riverside Pool" in statement and "A swim" in statement


def test_the_counter_says_what_is_wrong_and_changes_nothing(client, alice, member, pat, pool, swim):
    client.force_login(pat)
    unknown = client.get(counter(pool), {"code": "ZZZZZZ"}).content.decode()
    assert "No code ZZZZZZ for Riverside Pool" in unknown
    assert "six letters" in client.get(counter(pool), {"code": "12"}).content.decode()
    Listing.objects.filter(pk=swim.pk).update(minimum_age=18)
    code = services.issue_code(swim, membership=alice, actor=member)
    refused = client.post(counter(pool), {"code": code.code})
    assert refused.status_code == 400 and "at least 18" in refused.content.decode()
    assert not Redemption.objects.exists()
    assert client.post(counter(pool), {"code": code.code, "age_checked": "on"}).status_code == 200
    assert Redemption.objects.count() == 1


def test_the_counter_with_a_card(client, alice, member, pat, pool, swim):
    services.set_pin(alice, pin="4821", actor=member)
    client.force_login(pat)
    form = {"number": str(alice.pk), "pin": "0000", "listing": swim.pk, "token": "till-key-1"}
    wrong = client.post(counter(pool) + "card/", form)
    assert wrong.status_code == 400 and "Wrong PIN: 4 tries left." in wrong.content.decode()
    assert not Redemption.objects.exists()
    done = client.post(counter(pool) + "card/", {**form, "pin": "4821"})
    assert done.status_code == 200 and "A swim for Alice Ashby" in done.content.decode()
    assert Redemption.objects.get().via == "card"


def test_a_member_sets_their_pin(client, alice, member):
    client.force_login(member)
    page = client.get("/c/riverside/spend/card/").content.decode()
    assert str(alice.pk) in page and "Not set yet" in page
    assert "4 to 6 digits" in client.post("/c/riverside/spend/card/", {"pin": "12ab"}).content.decode()
    assert client.post("/c/riverside/spend/card/", {"pin": "2468"}).status_code == 302
    assert "Set" in client.get("/c/riverside/spend/card/").content.decode()


def test_where_to_spend_says_why_not_and_counts_queries_once(client, alice, member, pool, coordinator, swim):
    Listing.objects.filter(pk=swim.pk).update(per_member_per_month=1, daily_cap=3)
    client.force_login(member)
    client.get(SPEND)
    with CaptureQueriesContext(connection) as few:
        page = client.get(SPEND).content.decode()
    assert "Get a code for A swim" in page
    for i in range(12):
        listing = save_listing(pool, actor=coordinator, title=f"Class {i}", description="", minutes=30)
        Listing.objects.filter(pk=listing.pk).update(daily_cap=5, per_member_per_month=2)
    services.redeem_code(pool, services.issue_code(swim, membership=alice, actor=member).code, actor=coordinator)
    with CaptureQueriesContext(connection) as many:
        page = client.get(SPEND).content.decode()
    assert len(many) == len(few)
    assert "Limit reached: 1 per member per month." in page and "Get a code for Class 11" in page
