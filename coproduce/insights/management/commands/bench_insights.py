"""Measure the insights pages and figures on the configured database, with a demo already seeded.

    python manage.py bench_insights [--community SLUG] [--runs 5] [--skip network --skip report]

Prints one JSON line: the coordinator dashboard (median render, after one warm-up), the
12-month network figures, the PDF report, and the monthly aggregation three ways: ours
(``rollup_figures`` over the ``MonthlyRollup`` table), DuckDB's (the same GROUP BY over an
in-memory table loaded from an export of the exchanges) and a raw scan of the ledger in our
database (the ``rebuild_rollups`` query). The DuckDB result must equal ours cell for cell,
otherwise the command fails: a ratio between two different answers would mean nothing.
"""

import csv
import datetime
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max, Min, Sum
from django.urls import reverse

from coproduce.communities.models import Community
from coproduce.insights import rollups
from coproduce.insights.figures import Period, PeriodForm, rollup_figures
from coproduce.insights.models import MonthlyRollup
from coproduce.insights.network import network_for
from coproduce.insights.views_network import default_window
from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.ledger.services import community_today
from coproduce.members.models import Membership
from coproduce.testing import Client

PARTS = ("dashboard", "network", "report")
SEED_HINT = "seed the demo first: python manage.py seed_demo --members 1000 --exchanges 20000"

# One row per posted transfer (not a reversal) and giver area: the per-transfer part of the
# roll-ups' rebuild query, so both classify transfers from the same columns; reversed ones are
# left out of the export.
_EXPORT_SQL = rollups.PER_GIVER_AREA_SQL.format(where="AND t.community_id = %s")

_DUCKDB_SQL = """
SELECT month, exchange_type, category_id, area_id, SUM(minutes), SUM(first), SUM(givers)
FROM exchanges GROUP BY month, exchange_type, category_id, area_id
"""

# (month, exchange type, category id, giver area id) -> [minutes, exchanges, givers]
Cube = dict[tuple[datetime.date, str, int | None, int | None], list[int]]


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _timed(fn, runs: int) -> tuple[float, object]:
    """(median seconds over ``runs`` calls, the last call's result)."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _nonzero(cube: Cube) -> Cube:
    return {key: [int(n) for n in value] for key, value in cube.items() if any(value)}


class Command(BaseCommand):
    help = "Benchmark the insights dashboard, network, report and monthly aggregation (vs DuckDB); one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--community", help="the community's slug (default: the first community)")
        parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
        parser.add_argument("--skip", action="append", choices=PARTS, default=[],
                            help="leave out a measurement (repeatable); at 100,000 members the network "
                                 "figures and the report take a minute or more")

    def handle(self, *args, community, runs, skip, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        community = self._community(community)
        members = Membership.objects.active().filter(community=community).count()
        transfers = Transfer.objects.filter(community=community, status=TransferStatus.POSTED)
        if not transfers.exists():
            raise CommandError(f"{community.name} ({community.slug}) has no posted exchanges: {SEED_HINT}")

        analyzed = _analyze()
        warmup_s, dashboard_s = (None, None) if "dashboard" in skip else self._dashboard(community, runs)
        network_s, network = (None, None) if "network" in skip else self._network(community)
        aggregation = self._aggregation(community, runs)
        report = {"report_s": None} if "report" in skip else self._report(community)
        result = {
            "database": connection.vendor,
            "debug": settings.DEBUG,
            "analyzed": analyzed,
            "community": community.slug,
            "members": members,
            "transfers_posted": transfers.count(),
            **aggregation.pop("counts"),
            "runs": runs,
            "dashboard_warmup_renders": 1,
            "dashboard_warmup_ms": None if warmup_s is None else round(warmup_s * 1000, 1),
            "dashboard_ms": None if dashboard_s is None else round(dashboard_s * 1000, 1),
            "network_s": None if network_s is None else round(network_s, 3),
            "network_nodes": network and network.nodes,
            "network_ties": network and network.ties,
            # Above a page's budget the figures defer betweenness and sample the clustering.
            "network_betweenness_deferred": getattr(network, "betweenness_deferred", None),
            "network_clustering_estimated": getattr(network, "clustering_estimated", None),
            **report,
            **aggregation,
            "skipped": sorted(set(skip)),
        }
        self.stdout.write(json.dumps(result))

    def _community(self, slug: str | None) -> Community:
        if slug:
            community = Community.objects.filter(slug=slug).first()
            if community is None:
                known = ", ".join(Community.objects.order_by("slug").values_list("slug", flat=True)[:10])
                raise CommandError(f"No community with slug {slug!r} (known: {known or 'none'}).")
            return community
        community = Community.objects.order_by("pk").first()
        if community is None:
            raise CommandError(f"The database has no community: {SEED_HINT}")
        return community

    # --- the coordinator dashboard ---

    def _dashboard(self, community: Community, runs: int) -> tuple[float, float]:
        """(seconds of the warm-up render, median seconds of the next ``runs`` renders), each a full
        request through the middleware."""
        coordinator = self._coordinator(community)
        client = Client(raise_request_exception=True, HTTP_HOST=_host())
        # As the test suite does: a coordinator who has TOTP set up, logged in without the form,
        # the session marked as having passed the TOTP step (or the middleware would log them out).
        client.force_login(coordinator)
        url = reverse("insights:dashboard", kwargs={"slug": community.slug})
        secure = bool(settings.SECURE_SSL_REDIRECT)

        def render():
            response = client.get(url, secure=secure)
            if response.status_code != 200:
                raise CommandError(f"The dashboard answered {response.status_code} "
                                   f"{response.get('Location', '')} instead of 200.")
            return response

        try:
            # Warm-up: templates, translations, and the figures the dashboard caches until the
            # community next posts (a fresh process's local-memory cache starts empty).
            warmup_s, _response = _timed(render, 1)
            seconds, _response = _timed(render, runs)
        finally:
            client.logout()  # leave no session behind
        return warmup_s, seconds

    def _coordinator(self, community: Community):
        from allauth.mfa.models import Authenticator

        membership = (Membership.objects.coordinators()
                      .filter(community=community, user__authenticator__type=Authenticator.Type.TOTP)
                      .select_related("user").order_by("pk").first())
        if membership is None:
            raise CommandError(f"{community.name} has no coordinator with two-factor authentication set up "
                               f"to render the dashboard as: {SEED_HINT}")
        return membership.user

    # --- network and report ---

    def _network(self, community: Community):
        start, end = default_window(community_today(community))
        started = time.perf_counter()
        network, _parties = network_for(community, start, end, with_betweenness=True)
        return time.perf_counter() - started, network

    def _report(self, community: Community) -> dict:
        from coproduce.insights.report import build_pdf, load_weasyprint

        # A server loads WeasyPrint (and Pango) once, not per report: load it before timing.
        load_weasyprint()
        period = PeriodForm(None, community=community).period()
        started = time.perf_counter()
        pdf = build_pdf(community, period)
        seconds = time.perf_counter() - started
        if not pdf.startswith(b"%PDF"):
            raise CommandError("build_pdf did not return a PDF.")
        return {"report_s": round(seconds, 3), "report_bytes": len(pdf)}

    # --- monthly aggregation: roll-ups, DuckDB, raw scan ---

    def _aggregation(self, community: Community, runs: int) -> dict:
        import duckdb

        with tempfile.TemporaryDirectory(prefix="bench-insights-") as tmp:
            path = Path(tmp) / "exchanges.csv"
            started = time.perf_counter()
            exported, first, last = _export(community, path)
            export_s = time.perf_counter() - started
            rollup_span = MonthlyRollup.objects.filter(community=community).aggregate(
                first=Min("month"), last=Max("month"))
            if rollup_span["first"] is not None:
                first, last = min(first, rollup_span["first"]), max(last, rollup_span["last"])
            period = Period(first, last)

            duck = duckdb.connect(":memory:")
            try:
                duck.execute(
                    "CREATE TABLE exchanges AS SELECT * FROM read_csv(?, header = true, nullstr = '', "
                    "columns = {'month': 'DATE', 'exchange_type': 'VARCHAR', 'category_id': 'BIGINT', "
                    "'area_id': 'BIGINT', 'minutes': 'BIGINT', 'first': 'BIGINT', 'givers': 'BIGINT'})",
                    [str(path)])
                loaded = duck.execute("SELECT COUNT(*) FROM exchanges").fetchone()[0]
                if loaded != exported:
                    raise CommandError(f"DuckDB loaded {loaded} rows of the {exported} exported.")
                duck.execute(_DUCKDB_SQL).fetchall()  # warm-up, as for the others below
                duck_s, duck_rows = _timed(lambda: duck.execute(_DUCKDB_SQL).fetchall(), runs)
            finally:
                duck.close()

        rollup_figures(community, period)
        ours_s, ours = _timed(lambda: rollup_figures(community, period), runs)
        scan_s, scanned = _timed(lambda: _scan(community), runs)

        duck_cube = _nonzero({(_date(m), t, c, a): [minutes, n, g] for m, t, c, a, minutes, n, g in duck_rows})
        cells = _check(community, period, duck_cube, ours, scanned)
        return {
            "counts": {"exchanges": exported, "months": len(period.months), "rollup_cells": cells},
            "rollup_ms": round(ours_s * 1000, 2),
            "duckdb_ms": round(duck_s * 1000, 2),
            "duckdb_ratio": round(ours_s / duck_s, 2),
            "scan_ms": round(scan_s * 1000, 1),
            "scan_ratio": round(scan_s / duck_s, 1),
            "duckdb_check": "passed",
            "duckdb_version": duckdb.__version__,
            "export_s": round(export_s, 2),
        }


def _analyze() -> bool:
    """Refresh PostgreSQL's statistics first, as bench_matching does: right after seed_demo's bulk
    load (and wherever autovacuum is off) the planner thinks the ledger is empty and picks
    nested loops that take minutes."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_transfer, ledger_entry, ledger_account, members_membership, "
                       "members_demographics, insights_monthlyrollup, insights_membermonth")
    return True


def _host() -> str:
    """A host name the site accepts, so the test client's request passes ALLOWED_HOSTS."""
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*":
            return host.lstrip(".")
    return "localhost"


def _export(community: Community, path: Path) -> tuple[int, datetime.date, datetime.date]:
    """Write one CSV row per exchange and giver area, classified as rollups.py does; (rows, first
    month, last month)."""
    rows, first, last = 0, None, None
    with path.open("w", newline="") as out, connection.chunked_cursor() as cursor:
        writer = csv.writer(out)
        writer.writerow(["month", "exchange_type", "category_id", "area_id", "minutes", "first", "givers"])
        cursor.execute(_EXPORT_SQL, [community.pk])
        while batch := cursor.fetchmany(10_000):
            for (_id, _community, kind, performed_on, category_id, parties, organisations, pots, area, minutes,
                 givers, is_first, reversals) in batch:
                if reversals:
                    continue
                month = rollups.month_of(_date(performed_on))
                writer.writerow([month.isoformat(), rollups.exchange_type(kind, parties, organisations, pots),
                                 "" if category_id is None else category_id, "" if area is None else area,
                                 int(minutes), int(is_first), int(givers)])
                first = month if first is None or month < first else first
                last = month if last is None or month > last else last
                rows += 1
    if not rows:
        raise CommandError(f"{community.name} has no posted exchanges: {SEED_HINT}")
    return rows, first, last


def _scan(community: Community) -> Cube:
    """The same cells straight from the ledger: rebuild_rollups' query, folded into months."""
    with connection.cursor() as cursor:
        cursor.execute(rollups._REBUILD_SQL.format(where="AND t.community_id = %s"), [community.pk])
        found = cursor.fetchall()
    cube: Cube = defaultdict(lambda: [0, 0, 0])
    for _c, performed_on, category_id, area_id, kind, parties, organisations, pots, minutes, count, givers in found:
        cell = cube[(rollups.month_of(_date(performed_on)),
                     rollups.exchange_type(kind, parties, organisations, pots), category_id, area_id)]
        for i, n in enumerate((minutes, count, givers)):
            cell[i] += int(n)
    return _nonzero(cube)


def _differences(name: str, expected: dict, got: dict) -> list[str]:
    keys = sorted(set(expected) | set(got), key=str)
    return [f"{name} {key}: DuckDB {expected.get(key)}, ours {got.get(key)}"
            for key in keys if expected.get(key) != got.get(key)]


def _check(community: Community, period: Period, duck: Cube, ours: dict, scanned: Cube) -> int:
    """Fail unless DuckDB's cells equal the roll-up table's, the dashboard's figures and the raw scan's."""
    table = MonthlyRollup.objects.filter(community=community).values(
        "month", "exchange_type", "category_id", "area_id").annotate(m=Sum("minutes"), n=Sum("exchanges"),
                                                                      g=Sum("givers"))
    rolled = _nonzero({(_date(r["month"]), r["exchange_type"], r["category_id"], r["area_id"]): [r["m"], r["n"], r["g"]]
                       for r in table})
    problems = _differences("roll-up cell", duck, rolled) + _differences("ledger scan cell", duck, scanned)
    # What rollup_figures makes of the same cells: exchanges per month, type and category, givers
    # by area; gifts and grants from the pot only as totals.
    expected = {"per_month": {m: [0, 0] for m in period.months}, "by_type": {t: [0, 0] for t in rollups.EXCHANGE_TYPES},
                "by_category": {}, "by_area": {}, "other": {"gift": [0, 0], "pot_grant": [0, 0]}}
    for (month, kind, category_id, area_id), (minutes, count, givers) in duck.items():
        if kind in expected["other"]:
            buckets = [(expected["other"], kind, count)]
        else:
            buckets = [(expected["per_month"], month, count), (expected["by_type"], kind, count),
                       (expected["by_category"], category_id, count), (expected["by_area"], area_id, givers)]
        for bucket, key, n in buckets:
            cell = bucket.setdefault(key, [0, 0])
            cell[0] += minutes
            cell[1] += n
    expected["total"] = {"all": [sum(v[0] for v in expected["per_month"].values()),
                                 sum(v[1] for v in expected["per_month"].values())]}
    for name, values in expected.items():
        got = {"all": ours["total"]} if name == "total" else ours[name]
        problems += _differences(f"rollup_figures {name}", _nonzero(values), _nonzero(got))
    if problems:
        raise CommandError(f"DuckDB's aggregation differs from ours in {len(problems)} place(s), so the "
                           "ratio would mean nothing:\n  " + "\n  ".join(problems[:20]))
    return len(duck)
