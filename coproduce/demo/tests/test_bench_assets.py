import io
import json

import pytest
from django.core.management import CommandError, call_command

from coproduce.assets.models import Service


def test_prints_the_directory_figures_at_the_size_asked_for(db):
    call_command("seed_demo", "--members", "45", "--exchanges", "100", "--months", "3", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_assets", "--assets", "120", "--runs", "2", stdout=out)
    result = json.loads(out.getvalue().splitlines()[-1])
    assert Service.objects.count() >= 120
    assert result["services"] == Service.objects.listed().count()
    for name in ("map", "list", "oruk"):
        assert result[f"{name}_p95_ms"] >= result[f"{name}_p50_ms"] > 0
        assert result[f"{name}_p95_ratio"] == pytest.approx(result[f"{name}_p95_ms"] / result["trivial_p95_ms"],
                                                            rel=0.02)


def test_without_the_demo_it_says_what_to_do(db):
    with pytest.raises(CommandError, match="Seed the demo first"):
        call_command("bench_assets", "--runs", "1", stdout=io.StringIO())
