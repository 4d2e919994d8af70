"""After recording an exchange: a confirmation in plain words, not the accounting view. The paper
timesheet with category and description columns and as many rows as needed, and typing filled-in
sheets back in with those columns (row-numbered errors, nothing posted unless every row is good)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from coproduce.communities.models import Category
from coproduce.ledger import services
from coproduce.ledger.forms import BULK_MAX_ROWS, TIMESHEET_MAX_ROWS
from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.members.models import Membership


def today():
    return timezone.localdate()


def day_words(day=None):
    return date_format(day or today(), "j F Y")


@pytest.fixture
def gardening(riverside):
    return Category.objects.filter(community=riverside, retired=False).order_by("name").first()


def _record(client, data, url_name="ledger:record"):
    url = reverse(url_name, args=["riverside"])
    return client.post(url, {"token": "t-1", "performed_on": today().isoformat(), **data})


# ---------------------------------------------------------------------------- the confirmation


def test_giver_is_told_who_was_asked_to_confirm(client, alice, bob, gardening):
    client.force_login(alice.user)
    response = _record(client, {"direction": "gave", "other": bob.pk, "minutes": "1:30",
                                "category": gardening.pk, "description": "Weeded the front beds"})
    transfer = Transfer.objects.get()
    assert response["Location"] == reverse("ledger:recorded", args=["riverside", transfer.pk])
    page = client.get(response["Location"])
    assert page.context["what"] == (f"You recorded 1 hour 30 minutes of help you gave Bob Brown on {day_words()} "
                                    f"({gardening.name}: Weeded the front beds).")
    assert page.context["state"] == ("We have asked Bob Brown to confirm it; it will show on your statement "
                                     "when they do.")
    html = page.content.decode()
    assert "govuk-notification-banner--success" in html and "Waiting for confirmation" in html
    assert reverse("ledger:statement", args=["riverside"]) in html
    assert f'href="{reverse("ledger:record", args=["riverside"])}" id="record-another"' in html
    assert reverse("ledger:transfer", args=["riverside", transfer.pk]) in html  # the accounting view, a link away


def test_receiver_is_told_it_is_posted(client, alice, bob):
    client.force_login(bob.user)
    page = client.get(_record(client, {"direction": "received", "other": alice.pk, "minutes": "2"})["Location"])
    assert page.context["what"] == f"You recorded 2 hours of help Alice Ashby gave you on {day_words()}."
    assert page.context["state"] == "It is posted and on your statement now."
    assert Transfer.objects.get().status == TransferStatus.POSTED


def test_help_to_someone_who_does_not_use_the_website_is_told_as_held(client, riverside, alice,
                                                                      assisted_member):
    edna = Membership.objects.get(user=assisted_member, community=riverside)
    client.force_login(alice.user)
    page = client.get(_record(client, {"direction": "gave", "other": edna.pk, "minutes": "1"})["Location"])
    assert Transfer.objects.get().status == TransferStatus.HELD
    assert page.context["state"].startswith("A coordinator checks it before it is posted: Edna Elder does not use "
                                            "the website")


def test_coordinator_recording_for_others_is_told_both_statements(client, coordinator, alice, bob):
    client.force_login(coordinator)
    response = _record(client, {"giver": alice.pk, "receiver": bob.pk, "minutes": "45 min"}, "ledger:record_for")
    page = client.get(response["Location"])
    assert page.context["what"] == f"You recorded 45 minutes of help Alice Ashby gave Bob Brown on {day_words()}."
    assert page.context["state"] == "It is posted and on both statements now."
    assert f'href="{reverse("ledger:record_for", args=["riverside"])}" id="record-another"' in page.content.decode()


def test_the_statement_still_leads_to_the_accounting_view(client, alice, bob):
    client.force_login(bob.user)
    _record(client, {"direction": "received", "other": alice.pk, "minutes": "1"})
    transfer = Transfer.objects.get()
    statement = client.get(reverse("ledger:statement", args=["riverside"])).content.decode()
    assert reverse("ledger:transfer", args=["riverside", transfer.pk]) in statement


def test_the_confirmation_is_only_for_the_person_who_recorded_it(client, riverside, alice, bob, member_factory,
                                                                 other_member):
    transfer = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                        performed_on=today(), keyed_by=alice.user, idempotency_key="x")
    url = reverse("ledger:recorded", args=["riverside", transfer.pk])
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(member_factory("Carl").user)
    assert client.get(url).status_code == 403
    client.force_login(other_member)
    assert client.get(url).status_code == 403
    client.force_login(bob.user)  # a party, but not who recorded it: the transfer itself
    assert client.get(url)["Location"] == reverse("ledger:transfer", args=["riverside", transfer.pk])


def test_recording_from_a_request_ends_on_the_confirmation(as_persona, riverside, alice, bob):
    from coproduce.market.services import create_post

    post = create_post(author=alice, kind="request", title="Help with my garden",
                       category=Category.objects.filter(community=riverside).first(), description="Weeding",
                       duration_minutes=60, actor=alice.user)
    client = as_persona("member")
    response = client.post(reverse("market:record_exchange", args=["riverside", post.pk]), {
        "token": "m-1", "direction": "received", "other": f"#{bob.pk}", "minutes": 90,
        "performed_on": today().isoformat()})
    assert response["Location"] == reverse("ledger:recorded", args=["riverside", Transfer.objects.get().pk])


# ---------------------------------------------------------------------------- summary lists and tags


def test_transfer_and_approval_pages_use_summary_lists_and_tags(client, riverside, coordinator, cora, alice, bob):
    posted = services.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,
                                      performed_on=today(), keyed_by=bob.user, idempotency_key="p")
    services.grant_from_pot(community=riverside, to=alice, minutes=30, reason="Unwell", keyed_by=coordinator,
                            idempotency_key="g")
    # A coordinator crediting themselves from the pot waits for another coordinator.
    held = services.grant_from_pot(community=riverside, to=cora, minutes=120, reason="Expenses",
                                   keyed_by=coordinator, idempotency_key="h")
    assert held.status == TransferStatus.HELD
    client.force_login(coordinator)
    page = client.get(reverse("ledger:transfer", args=["riverside", posted.pk])).content.decode()
    assert 'class="govuk-summary-list"' in page and "<dl class=\"facts\">" not in page
    assert re.search(r'<strong class="govuk-tag govuk-tag--green">\s*Posted</strong>', page)
    approvals = client.get(reverse("ledger:approvals", args=["riverside"])).content.decode()
    assert 'class="govuk-summary-list"' in approvals and "govuk-tag--orange" in approvals
    assert "Cora Coordinator recorded credits for themselves" in approvals
    held_page = client.get(reverse("ledger:transfer", args=["riverside", held.pk])).content.decode()
    assert "govuk-tag--orange" in held_page


# ---------------------------------------------------------------------------- the paper timesheet


def test_timesheet_has_category_and_description_columns_and_the_rows_asked_for(client, riverside, alice,
                                                                                gardening):
    client.force_login(alice.user)
    url = reverse("ledger:timesheet", args=["riverside"])
    page = client.get(url)
    assert len(page.context["rows"]) == 12
    html = page.content.decode()
    for heading in ("Date", "Their name", "Category", "What we did", "Hours", "Their signature"):
        assert f'<th scope="col">{heading}</th>' in html
    assert gardening.name in html  # the categories to write in, listed on the sheet
    page = client.get(url, {"rows": 40})
    assert len(page.context["rows"]) == 40
    assert page.content.decode().count("<tr><th scope=\"row\">") == 40


@pytest.mark.parametrize("rows", [str(TIMESHEET_MAX_ROWS + 1), "0", "many"])
def test_timesheet_refuses_a_silly_number_of_rows_clearly(client, alice, rows):
    client.force_login(alice.user)
    page = client.get(reverse("ledger:timesheet", args=["riverside"]), {"rows": rows})
    assert page.status_code == 200
    assert page.context["form"].errors["rows"]
    assert "There is a problem" in page.content.decode()
    assert len(page.context["rows"]) == 12


def _bulk(rows, token="bulk-1", total=None):
    data = {"token": token, "rows-TOTAL_FORMS": total or len(rows), "rows-INITIAL_FORMS": 0,
            "rows-MIN_NUM_FORMS": 0, "rows-MAX_NUM_FORMS": BULK_MAX_ROWS}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = value
    return data


def test_typed_in_timesheets_keep_category_and_description(client, coordinator, alice, bob, gardening):
    client.force_login(coordinator)
    rows = [{"giver": alice.pk, "receiver": bob.pk, "minutes": "1:30", "performed_on": today(),
             "category": gardening.pk, "description": "Pruned the roses"},
            {"giver": bob.pk, "receiver": alice.pk, "minutes": "1", "performed_on": today()}]
    response = client.post(reverse("ledger:bulk_entry", args=["riverside"]), _bulk(rows))
    assert response.status_code == 302
    first, second = Transfer.objects.order_by("pk")
    assert (first.category, first.description, first.minutes) == (gardening, "Pruned the roses", 90)
    assert (second.category, second.description) == (None, "")


def test_typed_in_timesheets_name_each_bad_row_and_post_nothing(client, coordinator, alice, bob, gardening):
    client.force_login(coordinator)
    good = {"giver": alice.pk, "receiver": bob.pk, "minutes": "1", "performed_on": today(),
            "category": gardening.pk, "description": "Shopping"}
    rows = [good, {"giver": bob.pk, "receiver": bob.pk, "minutes": "1", "performed_on": today()},
            {"description": "Only a description"}, {**good, "category": 999_999}]
    response = client.post(reverse("ledger:bulk_entry", args=["riverside"]), _bulk(rows))
    assert response.status_code == 200 and not Transfer.objects.exists()
    summary = [str(item) for item in re.findall(r'<li><a href="#[^"]+">(.*?)</a></li>', response.content.decode())]
    assert summary[0].startswith("Row 2: ") and "must be different" in summary[0]
    assert summary[1].startswith("Row 3: Fill in who gave")
    assert summary[2].startswith("Row 4, category: Select a valid choice.")
    assert "Nothing was posted" in response.content.decode()


def test_typed_in_timesheets_are_bounded(client, coordinator, alice, bob):
    client.force_login(coordinator)
    row = {"giver": alice.pk, "receiver": bob.pk, "minutes": "1", "performed_on": today()}
    response = client.post(reverse("ledger:bulk_entry", args=["riverside"]),
                           _bulk([row] * (BULK_MAX_ROWS + 1)))
    assert response.status_code == 200 and not Transfer.objects.exists()
    assert f"Please submit at most {BULK_MAX_ROWS} forms." in response.content.decode()
    page = client.get(reverse("ledger:bulk_entry", args=["riverside"]), {"rows": 30})
    assert page.context["formset"].total_form_count() == 30
    page = client.get(reverse("ledger:bulk_entry", args=["riverside"]), {"rows": BULK_MAX_ROWS + 1})
    assert page.context["sheet"].errors["rows"] and page.context["formset"].total_form_count() == 10
