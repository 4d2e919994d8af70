import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from coproduce.ledger import services
from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.members.models import Membership

MEMBER_PAGES = ["statement", "statement_csv", "record", "give"]
OPEN_PAGES = ["pending", "pot", "timesheet"]
COORDINATOR_PAGES = ["search", "record_for", "grant", "bulk_entry"]

EXPECTED = {
    # persona: (member pages, open pages, coordinator pages)
    "anonymous": (302, 302, 302),
    "outsider": (403, 403, 403),
    "member": (200, 200, 403),
    "other_member": (403, 403, 403),
    "coordinator": (200, 200, 200),
    "other_coordinator": (403, 403, 403),
    "site_admin": (403, 200, 200),  # a site admin acts everywhere but has no balance of their own
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_permission_matrix(as_persona, persona, riverside):
    client = as_persona(persona)
    for pages, expected in zip((MEMBER_PAGES, OPEN_PAGES, COORDINATOR_PAGES), EXPECTED[persona], strict=True):
        for name in pages:
            response = client.get(reverse(f"ledger:{name}", args=[riverside.slug]))
            assert response.status_code == expected, (name, persona)
            if expected == 302:
                assert "/accounts/login/" in response["Location"]


def today():
    return timezone.localdate().isoformat()


def test_record_confirm_both_statements_show_it(client, alice, bob):
    client.force_login(alice.user)
    form = client.get(reverse("ledger:record", args=["riverside"])).context["form"]
    response = client.post(reverse("ledger:record", args=["riverside"]), {
        "token": form.initial["token"], "direction": "gave", "other": bob.pk, "minutes": "1:30",
        "performed_on": today(), "description": "Fixed the gate"})
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and transfer.status == TransferStatus.PENDING
    client.force_login(bob.user)
    page = client.get(reverse("ledger:pending", args=["riverside"]))
    assert "Fixed the gate" in page.content.decode()
    response = client.post(reverse("ledger:confirm", args=["riverside", transfer.pk]))
    assert response.status_code == 302
    bob_page = client.get(reverse("ledger:statement", args=["riverside"])).content.decode()
    assert "−1 hour 30 minutes" in bob_page and "Fixed the gate" in bob_page
    client.force_login(alice.user)
    alice_page = client.get(reverse("ledger:statement", args=["riverside"])).content.decode()
    assert "+1 hour 30 minutes" in alice_page
    csv = client.get(reverse("ledger:statement_csv", args=["riverside"])).content.decode()
    assert "Fixed the gate,Gave to Bob Brown,90,90" in csv


def test_double_submit_posts_once_and_shows_first_result(client, alice, bob):
    client.force_login(bob.user)
    data = {"token": "same-token", "direction": "received", "other": alice.pk, "minutes": 60,
            "performed_on": today()}
    first = client.post(reverse("ledger:record", args=["riverside"]), data)
    second = client.post(reverse("ledger:record", args=["riverside"]), data)
    assert Transfer.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert services.account_for_membership(alice).balance == 60


def test_member_cannot_post_from_someone_elses_account(client, alice, bob, riverside):
    client.force_login(alice.user)
    response = client.post(reverse("ledger:record", args=["riverside"]), {
        "token": "t", "direction": "received", "other": alice.pk, "minutes": 60, "performed_on": today()})
    assert response.status_code == 200 and not Transfer.objects.exists()
    pending = services.record_exchange(community=riverside, giver=bob, receiver=alice,
                                       minutes=30, performed_on=timezone.localdate(),
                                       keyed_by=bob.user, idempotency_key="p")
    client.force_login(bob.user)  # the giver cannot confirm their own claim
    client.post(reverse("ledger:confirm", args=["riverside", pending.pk]))
    pending.refresh_from_db()
    assert pending.status == TransferStatus.PENDING


def test_bad_input_is_shown_and_nothing_written(client, alice, bob):
    client.force_login(bob.user)
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post(reverse("ledger:record", args=["riverside"]), {
        "token": "t1", "direction": "received", "other": alice.pk, "minutes": 60, "performed_on": future})
    assert "cannot be in the future" in response.content.decode()
    assert not Transfer.objects.exists()


def test_coordinator_records_on_behalf(client, coordinator, alice, bob):
    client.force_login(coordinator)
    response = client.post(reverse("ledger:record_for", args=["riverside"]), {
        "token": "c1", "giver": alice.pk, "receiver": bob.pk, "minutes": 45, "performed_on": today()})
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.status == TransferStatus.POSTED and transfer.on_behalf_of == bob.user


def test_coordinator_cannot_act_in_another_community(client, other_coordinator, alice, bob):
    client.force_login(other_coordinator)
    response = client.post(reverse("ledger:record_for", args=["riverside"]), {
        "token": "c1", "giver": alice.pk, "receiver": bob.pk, "minutes": 45, "performed_on": today()})
    assert response.status_code == 403 and not Transfer.objects.exists()


def test_gift_and_pot_grant_pages(client, coordinator, alice, bob, riverside):
    services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=120,
                             performed_on=timezone.localdate(), keyed_by=bob.user, idempotency_key="x")
    client.force_login(alice.user)
    client.post(reverse("ledger:give", args=["riverside"]), {"token": "g", "to": "", "minutes": "1 hour"})
    assert services.pot_for(riverside).balance == 60
    client.force_login(coordinator)
    client.post(reverse("ledger:grant", args=["riverside"]),
                {"token": "gr", "to": bob.pk, "minutes": "30 min", "reason": "Unwell"})
    assert services.pot_for(riverside).balance == 30
    assert "30 minutes" in client.get(reverse("ledger:pot", args=["riverside"])).content.decode()


def test_reversal_through_the_page(client, coordinator, alice, bob, riverside):
    transfer = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                        performed_on=timezone.localdate(), keyed_by=bob.user,
                                        idempotency_key="x")
    client.force_login(coordinator)
    page = client.get(reverse("ledger:transfer", args=["riverside", transfer.pk]))
    token = page.context["form"].initial["token"]
    client.post(reverse("ledger:reverse", args=["riverside", transfer.pk]), {"token": token, "reason": "Typo"})
    client.post(reverse("ledger:reverse", args=["riverside", transfer.pk]), {"token": "other", "reason": "Again"})
    assert Transfer.objects.filter(reverses=transfer).count() == 1
    assert services.account_for_membership(alice).balance == 0
    search = client.get(reverse("ledger:search", args=["riverside"]), {"q": "Alice"})
    assert search.status_code == 200 and len(search.context["rows"]) == 2


def test_transfer_page_only_for_parties_and_coordinators(client, alice, bob, riverside, member_factory):
    transfer = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                        performed_on=timezone.localdate(), keyed_by=bob.user,
                                        idempotency_key="x")
    carl = member_factory("Carl")
    client.force_login(carl.user)
    assert client.get(reverse("ledger:transfer", args=["riverside", transfer.pk])).status_code == 403
    client.force_login(alice.user)
    assert client.get(reverse("ledger:transfer", args=["riverside", transfer.pk])).status_code == 200


def _bulk_data(rows, token="bulk-1"):
    data = {"token": token, "rows-TOTAL_FORMS": len(rows), "rows-INITIAL_FORMS": 0,
            "rows-MIN_NUM_FORMS": 0, "rows-MAX_NUM_FORMS": 50}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = value
    return data


def test_bulk_entry_one_bad_row_posts_nothing(client, coordinator, alice, bob):
    client.force_login(coordinator)
    good = {"giver": alice.pk, "receiver": bob.pk, "minutes": 60, "performed_on": today()}
    bad = {"giver": bob.pk, "receiver": bob.pk, "minutes": 30, "performed_on": today()}
    response = client.post(reverse("ledger:bulk_entry", args=["riverside"]), _bulk_data([good, bad, good]))
    assert response.status_code == 200 and not Transfer.objects.exists()
    page = response.content.decode()
    assert "must be different" in page and "Nothing was posted" in page
    response = client.post(reverse("ledger:bulk_entry", args=["riverside"]), _bulk_data([good, good]))
    assert response.status_code == 302 and Transfer.objects.count() == 2
    client.post(reverse("ledger:bulk_entry", args=["riverside"]), _bulk_data([good, good]))
    assert Transfer.objects.count() == 2  # the same batch resubmitted posts nothing twice


def test_timesheet_rows_take_time_as_written_on_paper(client, coordinator, alice, bob):
    client.force_login(coordinator)
    page = client.get(reverse("ledger:bulk_entry", args=["riverside"])).content.decode()
    assert "A number on its own up to 12 is hours" in page
    rows = [{"giver": alice.pk, "receiver": bob.pk, "minutes": minutes, "performed_on": today()}
            for minutes in ("1:30", "2", "45 min", "1h15")]
    response = client.post(reverse("ledger:bulk_entry", args=["riverside"]), _bulk_data(rows))
    assert response.status_code == 302
    assert sorted(t.minutes for t in Transfer.objects.all()) == [45, 75, 90, 120]


@pytest.mark.parametrize(("typed", "minutes"), [("1,5", 90), ("1h30m", 90), ("2 hours", 120), ("45", 45)])
def test_exchange_form_takes_time_as_people_write_it(client, alice, bob, typed, minutes):
    client.force_login(alice.user)
    page = client.get(reverse("ledger:record", args=["riverside"])).content.decode()
    assert "For example 1:30, 1.5 hours or 90 minutes." in page
    response = client.post(reverse("ledger:record", args=["riverside"]), {
        "token": "t", "direction": "received", "other": bob.pk, "minutes": typed, "performed_on": today()})
    assert response.status_code == 302
    assert Transfer.objects.get().minutes == minutes


@pytest.mark.parametrize(("typed", "error"), [
    ("a while", "Enter a time such as 1:30, 1.5 hours or 90 minutes."),
    ("1:20", "Record time in steps of 15 minutes, such as 1 hour 15 minutes or 1:30."),
    ("25 hours", "Enter at most 24 hours."),
    ("-1", "Enter a time above zero, such as 1:30, 1.5 hours or 90 minutes."),
])
def test_exchange_form_says_what_it_takes(client, alice, bob, typed, error):
    client.force_login(alice.user)
    response = client.post(reverse("ledger:record", args=["riverside"]), {
        "token": "t", "direction": "received", "other": bob.pk, "minutes": typed, "performed_on": today()})
    assert response.status_code == 200 and not Transfer.objects.exists()
    assert error in response.context["form"].errors["minutes"]
    assert f'value="{typed}"' in response.content.decode()  # what was typed stays, to be corrected


def test_limit_exception_shows_the_current_one_in_words(client, coordinator, alice):
    services.set_limit_exception(services.account_for_membership(alice), actor=coordinator, min_minutes=-750,
                                 max_minutes=None, reason="Long illness")
    client.force_login(coordinator)
    page = client.get(reverse("ledger:limits", args=["riverside", alice.pk])).content.decode()
    assert 'value="−12 hours 30 minutes"' in page


def test_timesheet_for_an_assisted_member(client, coordinator, alice):
    client.force_login(coordinator)
    page = client.get(reverse("ledger:timesheet", args=["riverside"]), {"member": alice.pk})
    assert "Alice Ashby" in page.content.decode()
    assert Membership.objects.filter(pk=alice.pk).exists()


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_list_pages_cost_the_same_with_more_rows(client, coordinator, alice, bob, riverside):
    def post(n):
        for _ in range(n):
            services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=15,
                                     performed_on=timezone.localdate(), keyed_by=bob.user,
                                     idempotency_key=services.new_key())

    post(2)
    services.pot_for(riverside)
    client.force_login(coordinator)
    search = reverse("ledger:search", args=["riverside"])
    pot = reverse("ledger:pot", args=["riverside"])
    before = (_count_queries(client, search), _count_queries(client, pot))
    client.force_login(alice.user)
    statement = reverse("ledger:statement", args=["riverside"])
    before_statement = _count_queries(client, statement)
    post(20)
    assert _count_queries(client, statement) == before_statement
    client.force_login(coordinator)
    assert (_count_queries(client, search), _count_queries(client, pot)) == before


def test_coordinator_sets_a_limit_exception(client, coordinator, other_coordinator, alice):
    url = reverse("ledger:limits", args=["riverside", alice.pk])
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 403
    client.force_login(alice.user)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    response = client.post(url, {"min_minutes": "-30", "max_minutes": "", "reason": ""})
    assert "Give a reason" in response.content.decode()
    response = client.post(url, {"min_minutes": "-30 hours", "max_minutes": "", "reason": "Long illness"})
    assert response.status_code == 302
    account = services.account_for_membership(alice)
    assert account.min_override == -30 * 60 and account.max_override is None


def test_the_ledger_search_counts_no_further_than_it_must(client, coordinator, alice, bob, riverside, monkeypatch):
    """Issue 19: two million transfers are not counted for a page of 25. Past the cap the page
    says "or more"; under it, the exact number of pages."""
    from coproduce.ledger import views
    from coproduce.lib import paging

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(7):
        services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=15,
                                 performed_on=timezone.localdate() - datetime.timedelta(days=n), keyed_by=bob.user,
                                 idempotency_key=f"cap-{n}")
    client.force_login(coordinator)
    url = reverse("ledger:search", args=["riverside"])
    assert "Page 1 of 4</span>" in client.get(url).content.decode()
    monkeypatch.setattr(paging, "COUNT_UP_TO", 4)
    page = client.get(url)
    assert "Page 1 of 2 or more" in page.content.decode()
    # The newest first, the same rows as without the cap; the second page is still there.
    newest = page.context["rows"][0][0]
    assert newest.performed_on == timezone.localdate()
    assert len(client.get(url, {"page": 2}).context["rows"]) == 2


def test_the_record_page_reads_its_categories_in_one_query_however_many_there_are(riverside, member, coordinator,
                                                                                 client):
    """Issue 19: each category's label names its parent, which was one query per category."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from coproduce.communities.models import Category
    from coproduce.communities.services import add_category

    client.force_login(member)
    url = reverse("ledger:record", args=[riverside.slug])

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    parent = Category.objects.filter(community=riverside, parent__isnull=True).first()
    before = queries()
    for n in range(12):
        add_category(riverside, actor=coordinator, name=f"Errand {n}", parent=parent)
    assert queries() == before
    assert f"{parent.name}: Errand 11" in client.get(url).content.decode()


def test_each_line_of_a_list_is_named_as_its_account_names_itself(alice, bob, coordinator, riverside):
    """``counterparties`` reads names as values (the ledger search, approvals): checked against
    each account's own ``label``, for a member, a partner organisation, the pot and a pending line."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coproduce.ledger.models import Account, Entry
    from coproduce.ledger.queries import counterparties
    from coproduce.partners.services import save_organisation

    surgery = save_organisation(community=riverside, actor=coordinator, name="Riverside Surgery", type="health")
    today = timezone.localdate()
    transfers = [
        services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60, performed_on=today,
                                 keyed_by=bob.user, idempotency_key="posted"),
        services.record_exchange(community=riverside, giver=surgery, receiver=alice, minutes=30, performed_on=today,
                                 keyed_by=coordinator, idempotency_key="organisation"),
        services.grant_from_pot(community=riverside, to=bob, minutes=45, reason="Unwell", keyed_by=coordinator,
                                idempotency_key="pot"),
        services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=15, performed_on=today,
                                 keyed_by=alice.user, idempotency_key="pending"),
    ]
    assert [t.status for t in transfers] == ["posted", "posted", "posted", "pending"]
    expected = {}
    for t in transfers:
        if t.status == TransferStatus.POSTED:
            expected[t.pk] = [(e.account.label, e.amount) for e in Entry.objects.filter(transfer=t).order_by("id")]
        else:
            expected[t.pk] = [(Account.objects.get(pk=pk).label, amount) for pk, amount in t.proposed]
    with CaptureQueriesContext(connection) as queries:
        lines = counterparties(transfers)
    assert lines == expected
    assert len(queries) == 2
    names = {name for rows in lines.values() for name, _amount in rows}
    assert {"Riverside Surgery", "Community pot", alice.user.name, bob.user.name} <= names
