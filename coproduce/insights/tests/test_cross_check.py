"""Every dashboard, valuation and network figure a coordinator sees, recomputed from the raw
ledger with plain SQL and networkx written here (issue 11's cross-check), on random
communities built through the ledger's services.

Nothing from ``coproduce.insights`` is called: the pages are fetched as a coordinator would,
and their tables compared with what the SQL below works out from the product brief's
definitions ("Measurement: definitions").
"""

import datetime
import statistics
import zoneinfo
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import networkx as nx
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coproduce import testing
from coproduce.communities.activities import Activity
from coproduce.communities.models import Category
from coproduce.insights.models import CommunityValuation, Rate, RateSet
from coproduce.ledger import services
from coproduce.members.models import Demographics
from coproduce.partners.models import Organisation, OrganisationType

TYPES = {"p2p": "person-to-person", "p2a": "person-to-agency", "a2a": "agency-to-agency",
         "community": "community (the pot)", "group": "group"}
AGE = {"20_34": "20 to 34", "65_79": "65 to 79"}
GENDER = {"woman": "woman", "man": "man"}


def hours(minutes) -> Decimal:
    return (Decimal(int(minutes)) / 60).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def day(value):
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def transfers(community, kinds, start, end):
    """{transfer id: (kind, performed_on, category, [(account, amount, account kind, area, age, gender)])}
    for posted transfers of these kinds performed from start to end that no posted reversal undoes."""
    rows = sql(f"""
        SELECT t.id, t.kind, t.performed_on, t.category_id, e.account_id, e.amount, a.kind,
               COALESCE(m.area_id, o.area_id), d.age_band, d.gender
        FROM ledger_transfer t
        JOIN ledger_entry e ON e.transfer_id = t.id
        JOIN ledger_account a ON a.id = e.account_id
        LEFT JOIN members_membership m ON m.id = a.membership_id
        LEFT JOIN partners_organisation o ON o.id = a.organisation_id
        LEFT JOIN members_demographics d ON d.user_id = m.user_id
        WHERE t.community_id = %s AND t.status = 'posted' AND t.kind IN ({", ".join(["%s"] * len(kinds))})
          AND t.performed_on >= %s AND t.performed_on <= %s
          AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.reverses_id = t.id AND r.status = 'posted')
    """, [community.pk, *kinds, start, end])
    found = {}
    for tid, kind, performed_on, category, account, amount, account_kind, area, age, gender in rows:
        entry = found.setdefault(tid, (kind, day(performed_on), category, []))
        entry[3].append((account, amount, account_kind, area, age, gender))
    return found


def kind_of(entries) -> str:
    kinds = [e[2] for e in entries]
    if "pot" in kinds:
        return "community"
    if len(entries) > 2:
        return "group"
    return {0: "p2p", 1: "p2a"}.get(kinds.count("organisation"), "a2a")


def dashboard_expected(community, start, end, areas, categories):
    """The dashboard's tables for months start..end (first days) against the months before."""
    n = (end.year - start.year) * 12 + end.month - start.month + 1
    before_start, before_end = add_months(start, -n), add_months(start, -1)

    def last_day(month):
        return add_months(month, 1) - datetime.timedelta(days=1)

    def window(first, last):
        exchanges = transfers(community, ["exchange", "group"], first, last_day(last))
        minutes = sum(a for *_x, entries in exchanges.values() for _acc, a, *_r in entries if a > 0)
        members = defaultdict(lambda: [0, 0])
        for *_x, entries in exchanges.values():
            for account, amount, account_kind, *_r in entries:
                if account_kind == "member":
                    members[account][0 if amount > 0 else 1] += abs(amount)
        other = {kind: sum(a for *_x, entries in transfers(community, [kind], first, last_day(last)).values()
                           for _acc, a, *_r in entries if a > 0) for kind in ("gift", "pot_grant")}
        joined = sql("SELECT COUNT(*) FROM members_membership WHERE community_id = %s AND joined_at >= %s "
                     "AND joined_at < %s", [community.pk, *[
                         datetime.datetime.combine(d, datetime.time(), tzinfo=zoneinfo.ZoneInfo("Europe/London"))
                         for d in (first, add_months(last, 1))]])[0][0]
        return exchanges, minutes, members, other, joined

    def pct(members):
        if not members:
            return "–"
        both = sum(1 for g, r in members.values() if g and r)
        return f"{both / len(members) * 100:.0f}%"

    now, before = window(start, end), window(before_start, before_end)
    headline = {
        "Exchange hours": [hours(now[1]), hours(before[1])],
        "Exchanges": [len(now[0]), len(before[0])],
        "Active members": [len(now[2]), len(before[2])],
        "New members": [now[4], before[4]],
        "Reciprocity rate (12 months to the period's end)": [pct(window(add_months(end, -11), end)[2]), "–"],
        "Reciprocity rate (the period)": [pct(now[2]), pct(before[2])],
        "Median hours per active member": [
            hours(statistics.median(g + r for g, r in w[2].values())) if w[2] else "–" for w in (now, before)],
        "Gifts (hours, not exchange hours)": [hours(now[3]["gift"]), hours(before[3]["gift"])],
        "Grants from the pot (hours, not exchange hours)": [hours(now[3]["pot_grant"]), hours(before[3]["pot_grant"])],
    }
    per_month = {}
    for i in range(n):
        month = add_months(start, i)
        totals = []
        for first in (month, add_months(before_start, i)):
            totals.append(float(hours(sum(a for _k, performed, _c, entries in
                                          transfers(community, ["exchange", "group"], first, last_day(first)).values()
                                          for _acc, a, *_r in entries if a > 0))))
        per_month[month.strftime("%b %Y")] = totals

    def split(key_of, label_of, count_givings=False):
        result = defaultdict(lambda: [0, 0, 0])  # minutes, count, minutes before
        for index, data in ((0, now[0]), (2, before[0])):
            for _kind, _performed, category, entries in data.values():
                givers = [e for e in entries if e[1] > 0]
                keys = key_of(category, entries)
                for key in keys:
                    mine = [e for e in givers if not count_givings or e[3] == key]
                    result[key][index] += sum(e[1] for e in mine)
                    if index == 0:
                        result[key][1] += len(mine) if count_givings else 1
        return {label_of(key): [hours(m), c, hours(b)] for key, (m, c, b) in result.items()}

    by_type = split(lambda _c, entries: [kind_of(entries)], TYPES.get)
    for label in TYPES.values():
        by_type.setdefault(label, [Decimal("0.0"), 0, Decimal("0.0")])
    by_category = split(lambda c, _e: [c], lambda c: categories.get(c, "No category"))
    by_area = split(lambda _c, entries: sorted({e[3] for e in entries if e[1] > 0}, key=str),
                    lambda a: areas.get(a, "No area"), count_givings=True)
    demographic = {}
    for field, labels, index in (("age", AGE, 4), ("gender", GENDER, 5)):
        sums = defaultdict(lambda: [0, 0])
        seen = defaultdict(lambda: [0, 0])
        for *_x, entries in now[0].values():
            for account, amount, account_kind, _area, *demo in entries:
                if account_kind == "member" and demo[index - 4]:
                    seen[account] = demo
                    sums[demo[index - 4]][0 if amount > 0 else 1] += abs(amount)
        demographic[field] = {labels[key]: [hours(g), hours(r)] for key, (g, r) in sums.items()}
    return headline, per_month, by_type, by_category, by_area, demographic, now


def valuation_expected(exchanges, rates, activity_of, labels):
    minutes = defaultdict(int)
    unmapped = 0
    for _kind, _performed, category, entries in exchanges.values():
        given = sum(e[1] for e in entries if e[1] > 0)
        if category is None:
            unmapped += given
        else:
            minutes[activity_of[category]] += given
    rows = {}
    total = Fraction(0)
    for activity, m in minutes.items():
        if not m:
            continue
        rate = rates.get(activity)
        if rate is None:
            rows[labels[activity]] = [hours(m), "not valued"]
            continue
        exact = Fraction(m, 60) * Fraction(rate)
        total += exact
        rows[labels[activity]] = [hours(m), f"{Decimal(exact.numerator / Decimal(exact.denominator)).quantize(Decimal('0.01'), ROUND_HALF_UP)} GBP"]
    if unmapped:
        rows["No category"] = [hours(unmapped), "not valued"]
    penny = (Decimal(total.numerator) / Decimal(total.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    rows["Total"] = [hours(sum(minutes.values()) + unmapped), f"{penny} GBP"]
    return rows


def network_expected(community, start, end):
    exchanges = transfers(community, ["exchange", "group"], start, end)
    graph = nx.Graph()
    info = {}
    for *_x, entries in exchanges.values():
        parties = [e for e in entries if e[2] in ("member", "organisation")]
        for e in parties:
            graph.add_node(e[0])
            info[e[0]] = (e[3], e[4] or "")
        for g in (e for e in parties if e[1] > 0):
            for r in (e for e in parties if e[1] < 0):
                graph.add_edge(g[0], r[0])
    first = {}
    for _kind, performed, _c, entries in transfers(community, ["exchange", "group"], datetime.date(1900, 1, 1),
                                                    end).values():
        parties = [e for e in entries if e[2] in ("member", "organisation")]
        for g in (e for e in parties if e[1] > 0):
            for r in (e for e in parties if e[1] < 0):
                pair = tuple(sorted((g[0], r[0])))
                first[pair] = min(first.get(pair, performed), performed)
    n, ties = graph.number_of_nodes(), graph.number_of_edges()

    def fmt(value):
        return "–" if value is None else f"{value:.2f}"

    new = defaultdict(int)
    for a, b in graph.edges():
        when = first[tuple(sorted((a, b)))]
        if when >= start:
            new[f"{when:%Y-%m}"] += 1
    rows = {
        "People and organisations in the network": n,
        "Ties": ties,
        "Mean degree (ties per person)": fmt(2 * ties / n if n else None),
        "Share in the largest connected group": fmt(max(len(c) for c in nx.connected_components(graph)) / n
                                                    if n else None),
        "Average clustering": fmt(nx.average_clustering(graph) if n else None),
        "Ties bridging different areas": sum(1 for a, b in graph.edges() if info[a][0] and info[b][0]
                                             and info[a][0] != info[b][0]),
        "Ties bridging different age bands (consenting members)": sum(
            1 for a, b in graph.edges() if info[a][1] and info[b][1] and info[a][1] != info[b][1]),
    }
    return rows, dict(new)


operation = st.tuples(st.sampled_from(["exchange", "exchange", "class", "pot_session", "event", "gift", "grant",
                                       "reverse"]),
                      st.integers(0, 6), st.integers(0, 6), st.integers(0, 14), st.integers(0, 2),
                      st.sampled_from([15, 30, 45, 60, 105]))


@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_every_coordinator_figure_matches_plain_sql_and_networkx(client, riverside, coordinator, operations):
    cache.clear()
    with transaction.atomic():
        _check(client, riverside, coordinator, operations)
        transaction.set_rollback(True)


def _check(client, community, coordinator, operations):
    north, south = community.areas.order_by("code")
    people = []
    for i, (area, band, gender) in enumerate([(north, "20_34", "woman"), (north, "65_79", "man"),
                                              (south, "20_34", None), (south, None, None), (None, "65_79", "man"),
                                              (north, None, "woman")]):
        member = testing.join(testing.make_person(f"x{i}@cross.example", f"X {i}"), community, area=area)
        if area is None:
            member.area = None
            member.save()
        if band or gender:
            Demographics.objects.create(user=member.user, age_band=band or "", gender=gender or "",
                                        consented_at=timezone.now())
        people.append(member)
    org = Organisation.objects.create(community=community, name="Hall", type=OrganisationType.values[0], area=south)
    categories = [Category.objects.create(community=community, name=name, activity=activity)
                  for name, activity in (("Garden", Activity.GARDENING), ("Lifts", Activity.TRANSPORT))] + [None]
    rate_set = RateSet.objects.create(name="Cross", currency="GBP", country="GB")
    Rate.objects.create(rate_set=rate_set, activity=Activity.GARDENING, per_hour=Decimal("12.37"), source="t", year=2025)
    CommunityValuation.objects.create(community=community, rate_set=rate_set)
    today = datetime.datetime.now(zoneinfo.ZoneInfo(community.time_zone)).date()
    parties = [*people, org]
    posted = []
    for i, (what, a, b, back, category, minutes) in enumerate(operations):
        when = today - datetime.timedelta(days=back * 29)
        key = f"c{i}"
        try:
            if what == "exchange" and a != b:
                posted.append(services.record_exchange(
                    community=community, giver=parties[a], receiver=parties[b], minutes=minutes, performed_on=when,
                    keyed_by=coordinator, idempotency_key=key, category=categories[category]))
            elif what in ("class", "pot_session"):
                receivers = [p for j, p in enumerate(people) if j != a % 6][: 2 + b % 3]
                posted.append(services.record_group_exchange(
                    community=community, givers=[(people[a % 6], minutes)], receivers=receivers, performed_on=when,
                    keyed_by=coordinator, idempotency_key=key, paid_by_pot=what == "pot_session",
                    category=categories[category]))
            elif what == "event" and len({a % 6, (a + 2) % 6, b % 6}) == 3:
                posted.append(services.record_group_exchange(
                    community=community, givers=[(people[a % 6], minutes), (people[(a + 2) % 6], 15)],
                    receivers=[people[b % 6]], performed_on=when, keyed_by=coordinator, idempotency_key=key,
                    category=categories[category]))
            elif what == "gift":
                services.give_credits(community=community, giver=people[a % 6], to=None, minutes=15,
                                      keyed_by=people[a % 6].user, idempotency_key=key)
            elif what == "grant":
                services.grant_from_pot(community=community, to=people[a % 6], minutes=minutes, reason="help",
                                        keyed_by=coordinator, idempotency_key=key)
            elif what == "reverse" and posted:
                services.reverse_transfer(posted.pop(a % len(posted)), keyed_by=coordinator, reason="x",
                                          idempotency_key=f"r{key}")
        except ValidationError:
            continue

    client.force_login(coordinator)
    areas = dict(sql("SELECT id, name FROM communities_area WHERE community_id = %s", [community.pk]))
    category_names = dict(sql("SELECT id, name FROM communities_category WHERE community_id = %s", [community.pk]))
    this_month = today.replace(day=1)
    start = add_months(this_month, -11)
    headline, per_month, by_type, by_category, by_area, demographic, now = dashboard_expected(
        community, start, this_month, areas, category_names)
    compared = 0
    response = client.get(f"/c/{community.slug}/insights/")
    assert response.status_code == 200
    tables = {t["name"]: {str(row[0]): list(row[1:]) for row in t["rows"]} for t in response.context["tables"]}
    assert tables["headline"] == headline
    assert tables["hours-per-month"] == per_month
    assert tables["by-type"] == by_type
    assert tables["by-category"] == by_category
    assert tables["by-area"] == by_area
    assert tables["by-age"] == demographic["age"] and tables["by-gender"] == demographic["gender"]
    compared += sum(len(v) for t in tables.values() for v in t.values())

    activity_of = dict(sql("SELECT id, activity FROM communities_category WHERE community_id = %s", [community.pk]))
    labels = dict(Activity.choices)
    account = client.get(f"/c/{community.slug}/insights/value/").context["tables"][0]
    got = {str(row[0]): row[1:3] for row in account["rows"]}
    expected = valuation_expected(now[0], {Activity.GARDENING: Decimal("12.37")}, activity_of,
                                  {k: str(v) for k, v in labels.items()})
    assert got == expected
    compared += 2 * len(got)

    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:
        year_ago = today.replace(year=today.year - 1, day=28)
    rows, new = network_expected(community, year_ago + datetime.timedelta(days=1), today)
    page = client.get(f"/c/{community.slug}/insights/network/").context["tables"]
    assert {row[0]: row[1] for row in page[0]["rows"]} == rows
    assert {row[0]: row[1] for row in page[1]["rows"]} == new
    compared += len(rows) + len(new)
    assert compared > 60
