"""Point 5: no CSV download can carry a formula.

The attack: a member calls themselves ``=HYPERLINK("http://evil.example","Hi")`` (or a
coordinator names an area, a category, an organisation or an indicator so), and a coordinator
opens a download in a spreadsheet, which runs the text as a formula. Every download goes
through ``coproduce.lib.csv_safe``; these tests put hostile text in every field that reaches a
download, fetch every download there is, and check that no cell starts a formula.
"""

import csv
import datetime
import html
import inspect
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coproduce import testing
from coproduce.communities.activities import Activity
from coproduce.communities.models import Category
from coproduce.communities.services import add_area
from coproduce.insights.assessment import CELLS, Cell, record_self_assessment
from coproduce.insights.models import AreaIndicator, CommunityValuation, Rate, RateSet
from coproduce.ledger import services
from coproduce.lib.csv_safe import safe_cell
from coproduce.members.models import Membership
from coproduce.partners.models import Organisation

# What a spreadsheet may run as a formula (OWASP, plus the full-width signs), and the one kind
# of text starting so that is safe: a plain number.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")

HOSTILE = {
    "member": '=HYPERLINK("http://evil.example/m","Hi")',
    "quiet member": "@SUM(1+9)*cmd|' /C calc'!A0",
    "area": "+cmd|' /C notepad'!A1",
    "category": "-2+3+cmd|' /C calc'!A0",
    "description": '=HYPERLINK("http://evil.example/d","d")',
    "organisation": "=1+2",
    "indicator": "@SUM(A1:A9)",
    "rate source": "\t=cmd|' /C calc'!A0",
    "rate occupation": "\r=1+1",
}


def formula_cells(rows) -> list[str]:
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell)
    ]


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def hostile(riverside, member, coordinator):
    """Hostile text in every field that reaches a download, and data enough for each to show."""
    today = services.community_today(riverside)
    riverside.started_on = today - datetime.timedelta(days=1000)
    riverside.save(update_fields=["started_on"])
    north, south = riverside.areas.order_by("code")
    evil_area = add_area(riverside, actor=coordinator, code="E05000003", name=HOSTILE["area"])
    category = Category.objects.create(
        community=riverside, name=HOSTILE["category"], activity=Activity.GARDENING
    )
    alice = Membership.objects.get(user=member, community=riverside)
    evil = testing.join(
        testing.make_person("evil@example.org", HOSTILE["member"]), riverside, area=evil_area
    )
    cal = testing.join(testing.make_person("cal@example.org", "Cal Cedar"), riverside, area=south)
    testing.join(
        testing.make_person("quiet@example.org", HOSTILE["quiet member"]), riverside, area=evil_area
    )
    # Alice → evil → Cal today, and a year ago (so a quarter is released to the public): evil is
    # the broker between the two, and everything is in the hostile category and area.
    for n, day in enumerate([today, today - datetime.timedelta(days=400)]):
        for giver, receiver in ((alice, evil), (evil, cal)):
            services.record_exchange(
                community=riverside,
                giver=giver,
                receiver=receiver,
                minutes=60,
                performed_on=day,
                keyed_by=receiver.user,
                idempotency_key=f"x{n}{giver.pk}",
                category=category,
                description=HOSTILE["description"],
            )
    organisation = Organisation.objects.create(
        community=riverside, name=HOSTILE["organisation"], type="library"
    )
    record_self_assessment(
        organisation,
        actor=coordinator,
        cells={cell: Cell(3, "") for cell in CELLS},
        assessed_on=today,
    )
    for area, value in ((north, 10), (south, 20), (evil_area, 30)):
        AreaIndicator.objects.create(
            community=riverside, area=area, indicator=HOSTILE["indicator"], value=value
        )
    rates = RateSet.objects.create(name="Rates", currency="GBP", country="GB")
    Rate.objects.create(
        rate_set=rates,
        activity=Activity.GARDENING,
        per_hour=Decimal("12.00"),
        occupation=HOSTILE["rate occupation"],
        source=HOSTILE["rate source"],
        year=2024,
    )
    CommunityValuation.objects.create(community=riverside, rate_set=rates)
    with transaction.atomic():
        services.account_for_organisation(organisation)
    return {"organisation": organisation.pk}


# Pages whose tables download as CSV (``?csv=<name>`` links, the csv_link tag), by URL name,
# with who may open them and the hostile values each must show; then the plain CSV downloads.
# fmt: off
CSV_PAGES = {
    "insights:dashboard": ("coordinator", {}, ["category", "area"]),
    "insights:core_economy": ("coordinator", {}, ["rate source", "rate occupation"]),
    "insights:partner_slice": ("coordinator", {"organisation_pk": "organisation"}, []),
    "insights:public_figures": ("anonymous", {}, ["area"]),
    "insights:network": ("coordinator", {}, ["member"]),
    "insights:public_network": ("anonymous", {}, []),
    "insights:outreach": ("coordinator", {}, ["quiet member", "area"]),
    "insights:areas": ("coordinator", {}, ["area", "indicator"]),
    "insights:partners_overview": ("coordinator", {}, ["organisation"]),
    "insights:assessments": ("coordinator", {"organisation_pk": "organisation"}, []),
}
CSV_FILES = {
    "ledger:statement_csv": ("member", {}, ["description", "category"]),
    "outcomes:report_csv": ("coordinator", {}, []),
}
# fmt: on


def _client(request, persona):
    client = request.getfixturevalue("client")
    client.logout()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _url(name, kwargs, ids):
    return reverse(
        name, kwargs={"slug": "riverside", **{key: ids[value] for key, value in kwargs.items()}}
    )


def _downloads(request, hostile):
    """(page, csv name, rows) for every download of every page above."""
    for name, (persona, kwargs, _expected) in CSV_PAGES.items():
        client = _client(request, persona)
        url = _url(name, kwargs, hostile)
        page = client.get(url)
        assert page.status_code == 200, (name, page.status_code)
        links = sorted(set(re.findall(r'href="(\?[^"]*csv=[^"]*)"', page.content.decode())))
        assert links, f"{name} offers no CSV download"
        for link in links:
            yield name, link, rows_of(client.get(url + html.unescape(link)))
    for name, (persona, kwargs, _expected) in CSV_FILES.items():
        yield name, "", rows_of(_client(request, persona).get(_url(name, kwargs, hostile)))


def test_no_download_starts_a_formula(request, hostile):
    seen = {name: set() for name in [*CSV_PAGES, *CSV_FILES]}
    for name, link, rows in _downloads(request, hostile):
        # 1. Whatever the hostile text reached, no cell of this download can run as a formula ...
        assert formula_cells(rows) == [], f"{name}{link}"
        # 2. ... and the text is still there for the reader, as text behind a single quote.
        cells = {cell for row in rows for cell in row}
        seen[name] |= {
            key
            for key, value in HOSTILE.items()
            if any(cell.startswith("'" + value) for cell in cells)
        }
    # 3. The hostile text did reach each download it should, so the check above meant something.
    for name, (_persona, _kwargs, expected) in {**CSV_PAGES, **CSV_FILES}.items():
        assert set(expected) <= seen[name], (name, set(expected) - seen[name])


def test_every_csv_download_of_the_project_is_checked_above():
    """A view that answers with CSV (text/csv, or ``?csv=`` through insights.tables.respond) must
    be in CSV_PAGES or CSV_FILES, so a new download cannot skip the check."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", inspect.unwrap(pattern.callback)

    downloads = set()
    for name, view in walk(get_resolver().url_patterns):
        if name.startswith("admin:") or not view.__module__.startswith("coproduce."):
            continue
        source = inspect.getsource(view)
        if "text/csv" in source or "respond(" in source or "csv_response(" in source:
            downloads.add(name)
    assert downloads == set(CSV_PAGES) | set(CSV_FILES)


def test_one_csv_writer_for_every_download():
    """csv.writer appears in lib/csv_safe.py only; the benchmark's internal export is not a download."""
    root = Path(__file__).resolve().parents[2] / "coproduce"
    allowed = {
        root / "lib" / "csv_safe.py",
        root / "insights" / "management" / "commands" / "bench_insights.py",
    }
    users = {
        path
        for path in root.rglob("*.py")
        if "csv.writer(" in path.read_text(encoding="utf-8") and "tests" not in path.parts
    }
    assert users <= allowed, users - allowed


# fmt: off
SAFE_CELLS = [
    ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("＝1+1", "'＝1+1"),
    ("-1:30", "'-1:30"),  # a negative duration is text to a spreadsheet: kept as text, not as a formula
    ("-1\n=cmd", "'-1\n=cmd"),  # a number followed by anything else is text
    ("Alice Ashby", "Alice Ashby"), ("", ""), ("–", "–"), ("1:30", "1:30"), ("67%", "67%"),
    ("-0.500", "-0.500"), ("+3", "+3"), ("-12%", "-12%"), ("1e3", "1e3"), ("-.5", "-.5"),  # text numbers
    (-90, -90), (1.5, 1.5), (Decimal("-3.5"), Decimal("-3.5")), (True, True),  # real numbers as they are
    (None, ""), (float("-inf"), "'-inf"), (Decimal("-Infinity"), "'-Infinity"),
    (datetime.date(2026, 1, 2), "2026-01-02"),
]
# fmt: on


@pytest.mark.parametrize(("value", "written"), SAFE_CELLS)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_statement_figures_stay_numbers(client, riverside, member, second_member):
    """A debit in a statement is a real negative number, not quoted text: the sums still work."""
    alice, bob = (
        Membership.objects.get(user=u, community=riverside) for u in (member, second_member)
    )
    services.record_exchange(
        community=riverside,
        giver=bob,
        receiver=alice,
        minutes=90,
        performed_on=services.community_today(riverside),
        keyed_by=alice.user,
        idempotency_key="k",
        description="-1:30 of weeding",
    )
    client.force_login(member)
    rows = rows_of(client.get(reverse("ledger:statement_csv", args=["riverside"])))
    line = dict(zip(rows[0], rows[1], strict=True))
    assert [line["description"], line["minutes"], line["balance after (minutes)"]] == ["'-1:30 of weeding", "-90", "-90"]
