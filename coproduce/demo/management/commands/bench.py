"""Run every benchmark and print each figure beside its target, so a regression shows before an
issue that touches a hot path is resolved.

    python manage.py bench [--exchanges 3000] [--posts 100000] [--members 2000] [--history 20000]

Each benchmark prints one JSON line of its own (bench_ledger, bench_matching, bench_insights,
bench_home, bench_assets, bench_rewards, bench_federation); this runs them in turn on the configured database (PostgreSQL, DEBUG off: see
``make bench``), seeding the demo for bench_insights and bench_home when the database has none, then prints a table and exits
non-zero when a figure misses its target. Ratios are measured against a baseline in the same
run, so they hold on a busy machine; milliseconds do not, which is why the load is printed too.
"""

import io
import json
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from coproduce.demo.logins import DEMO_SLUG

# (benchmark, figure, comparison, target, what it means)
TARGETS = [
    ("ledger", "ratio", "<=", 2.0, "posting through the service against hand-written SQL writing the same rows"),
    # The bulk path against a plain COPY of the same rows (no checks, no roll-ups) in the same run:
    # exchanges per second are the machine's as much as ours (bulk_per_s and bulk_floor_per_s are
    # printed above; 20,000/s where the machine's plain COPY manages well over that).
    ("ledger", "bulk_ratio", "<=", 1.5, "the bulk path's time over a plain COPY of the same rows"),
    ("matching", "suggest_p95_ms", "<=", 50, "suggestions for a request, p95"),
    ("matching", "search_p95_ms", "<=", 50, "a first page of search results, p95"),
    ("matching", "category_p95_ms", "<=", 20, "\"which category is this?\" for a post's words, p95"),
    ("insights", "dashboard_ms", "<=", 500, "the coordinator dashboard, median after a warm-up"),
    ("insights", "report_s", "<=", 30, "the PDF report"),
    ("insights", "duckdb_ratio", "<=", 3, "our monthly roll-up read against DuckDB's GROUP BY"),
    ("home", "home_p95_ms", "<=", 100, "the slowest role's home page, p95 at the server"),
    ("assets", "map_p95_ms", "<=", 100, "the directory map's data for a viewport, 10,000 assets, p95"),
    ("assets", "list_p95_ms", "<=", 100, "the directory's list page, 10,000 assets, p95"),
    ("assets", "oruk_p95_ms", "<=", 100, "/oruk/services, a page of 50, 10,000 assets, p95"),
    ("rewards", "redemptions_per_s", ">=", 200, "codes confirmed at one venue through the service, a till per core"),
    ("rewards", "confirm_p95_ms", "<=", 100, "the counter's confirm page, p95 at the server"),
    ("federation", "balance_p95_ms", "<=", 50, "the API's balance, gunicorn on loopback, p95"),
    ("federation", "statement_p95_ms", "<=", 50, "the API's statement, a page of 50 lines, p95"),
    ("federation", "transfers_per_s", ">=", 50, "crossings booked on two linked installations, 4 clients"),
    ("federation", "reconciled", "==", True, "both ledgers agree after the run"),
]


def _run(command: str, *args) -> dict:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("{")]
    if not lines:
        raise CommandError(f"{command} printed no JSON line:\n{out.getvalue()}")
    return json.loads(lines[-1])


def _met(value, comparison: str, target) -> bool:
    if comparison == "==":
        return value == target
    return value <= target if comparison == "<=" else value >= target


class Command(BaseCommand):
    help = ("Run bench_ledger, bench_matching, bench_insights and bench_home; print each figure beside "
            "its target.")

    def add_arguments(self, parser):
        parser.add_argument("--exchanges", type=int, default=3000, help="bench_ledger --exchanges")
        parser.add_argument("--posts", type=int, default=100_000, help="bench_matching --posts")
        parser.add_argument("--members", type=int, default=2000, help="demo members for bench_insights")
        parser.add_argument("--history", type=int, default=20_000, help="demo exchanges for bench_insights")
        parser.add_argument("--only", action="append", choices=("ledger", "matching", "insights", "home", "assets", "rewards",
                                                         "federation"),
                            default=[])

    def handle(self, *args, exchanges, posts, members, history, only, **options):
        if connection.vendor != "postgresql":
            self.stderr.write("The targets are for PostgreSQL; this database is "
                              f"{connection.vendor}, so read the figures with care.")
        wanted = only or ["ledger", "matching", "insights", "home", "assets", "rewards", "federation"]
        results = {}
        if "ledger" in wanted:
            results["ledger"] = _run("bench_ledger", "--exchanges", str(exchanges))
        if "matching" in wanted:
            results["matching"] = _run("bench_matching", "--posts", str(posts))
        if {"insights", "home", "assets", "rewards"} & set(wanted):
            # Reuses the demo if it is there; the command sends the demo's e-mails nowhere.
            call_command("seed_demo", "--members", str(members), "--exchanges", str(history), stdout=io.StringIO())
        if "insights" in wanted:
            results["insights"] = _run("bench_insights", "--community", DEMO_SLUG)
        if "home" in wanted:
            results["home"] = _run("bench_home")
        if "assets" in wanted:
            results["assets"] = _run("bench_assets")
        if "rewards" in wanted:
            results["rewards"] = _run("bench_rewards")
        if "federation" in wanted:
            # Two installations of its own, on databases beside this one.
            results["federation"] = _run("bench_federation")
        load = os.getloadavg()[0]
        for name, result in results.items():
            self.stdout.write(json.dumps({"bench": name, **result}))
        self.stdout.write(f"\nload average (1 min): {load:.2f} on {os.cpu_count()} cores\n")
        self.stdout.write(f"{'benchmark':<10} {'figure':<16} {'value':>10}  target      ")
        missed = []
        for bench, figure, comparison, target, meaning in TARGETS:
            if bench not in results:
                continue
            value = results[bench].get(figure)
            ok = value is not None and _met(value, comparison, target)
            if not ok:
                missed.append(f"{bench}.{figure}")
            self.stdout.write(f"{bench:<10} {figure:<16} {value!s:>10}  {comparison} {target!s:<8} "
                              f"{'ok  ' if ok else 'MISS'}  {meaning}")
        if missed:
            raise CommandError(f"Missed targets: {', '.join(missed)}")
