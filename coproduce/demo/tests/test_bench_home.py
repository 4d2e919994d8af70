import io
import json

import pytest
from django.core.management import CommandError, call_command

from coproduce.demo.management.commands.bench_home import ROLES


def test_prints_each_role_s_home_page_against_the_trivial_page(db):
    call_command("seed_demo", "--members", "45", "--exchanges", "100", "--months", "3", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_home", "--runs", "2", stdout=out)
    [line] = out.getvalue().splitlines()
    result = json.loads(line)
    for role in ROLES:
        key = role.replace(" ", "_")
        assert result[f"{key}_p95_ms"] >= result[f"{key}_p50_ms"] > 0
        # Each figure is printed to 2 decimals: a small ratio's rounding is up to 0.005 either way.
        assert result[f"{key}_p95_ratio"] == pytest.approx(result[f"{key}_p95_ms"] / result["trivial_p95_ms"],
                                                           rel=0.02, abs=0.006)
    assert result["home_p95_ms"] == max(result[f"{r.replace(' ', '_')}_p95_ms"] for r in ROLES)


def test_without_the_demo_it_says_what_to_do(db):
    with pytest.raises(CommandError, match="seed the demo first"):
        call_command("bench_home", "--runs", "1", stdout=io.StringIO())
