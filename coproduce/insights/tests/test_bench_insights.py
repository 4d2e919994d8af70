"""bench_insights: one JSON line on a tiny seeded demo, the DuckDB cross-check, and bad input."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coproduce.demo.logins import DEMO_SLUG
from coproduce.insights.models import MonthlyRollup

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", "--members", "30", "--exchanges", "300", "--months", "6", stdout=io.StringIO())


def _bench(*args) -> dict:
    out = io.StringIO()
    call_command("bench_insights", "--runs", "1", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0])


def test_prints_one_json_line_with_positive_timings(demo):
    result = _bench("--community", DEMO_SLUG)
    for key in ("dashboard_ms", "network_s", "report_s", "duckdb_ratio", "scan_ratio"):
        assert result[key] > 0, key
    assert result["duckdb_check"] == "passed"
    assert result["database"] == connection.vendor
    assert result["community"] == DEMO_SLUG
    assert result["members"] >= 30
    assert result["exchanges"] > 200
    assert result["rollup_cells"] > 0
    assert result["report_bytes"] > 0
    assert result["dashboard_warmup_renders"] == 1


def test_skip_leaves_out_the_slow_parts(demo):
    result = _bench("--skip", "network", "--skip", "report")
    assert result["network_s"] is None and result["report_s"] is None
    assert result["skipped"] == ["network", "report"]
    assert result["dashboard_ms"] > 0 and result["duckdb_check"] == "passed"


def test_a_roll_up_that_disagrees_with_the_ledger_fails_loudly(demo):
    row = MonthlyRollup.objects.filter(exchanges__gt=0).order_by("pk").first()
    MonthlyRollup.objects.filter(pk=row.pk).update(minutes=row.minutes + 15)
    with pytest.raises(CommandError, match="differs from ours"):
        _bench()


def test_unknown_community(demo):
    with pytest.raises(CommandError, match="No community with slug 'nowhere'"):
        _bench("--community", "nowhere")


def test_empty_database_asks_for_the_demo():
    with pytest.raises(CommandError, match=r"seed the demo first: python manage\.py seed_demo"):
        _bench()
