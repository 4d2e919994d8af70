"""Issue 19: a small smoke run of the load test, as an operator runs it (``manage.py loadtest``,
which serves the demo with gunicorn, DEBUG off, and logs each role in through the real forms),
on its own database of the configured kind (PostgreSQL or SQLite)."""

import json
import os

from coproduce.demo.logins import DEMO_SLUG
from coproduce.federation import loopback


def test_the_load_test_logs_every_role_in_and_measures_every_page_of_their_day(tmp_path, db, monkeypatch):
    # Its own files (the load test collects static files): never the checkout's var/static,
    # which the other tests' pages are served from at the same time.
    monkeypatch.setenv("COPRODUCE_VAR_DIR", str(tmp_path / "var"))
    # As at 100,000 members: the network is worked out by the task worker beside gunicorn.
    monkeypatch.setenv("NETWORK_INLINE_MAX_PARTIES", "0")
    base = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'base.sqlite3'}"
    [url] = loopback.make_databases(base, [f"coproduce_loadsmoke_{os.getpid()}"], tmp_path)
    demo = loopback.Installation(DEMO_SLUG, "demo", url)
    try:
        demo.manage("seed_demo", "--members", "45", "--months", "3", "--exchanges", "200")
        done = demo.manage("loadtest", "--clients", "2", "--requests", "2", "--report-only")
    finally:
        loopback.drop_databases(base, [url])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["measured_all"] is True and result["members"] >= 45
    pages = result["pages"]
    roles = {name.split(":")[0] for name in pages}
    assert roles == {"anonymous", "member", "facilitator", "partner staff", "coordinator"}
    measured = {name: figures for name, figures in pages.items() if "p95_ms" in figures}
    assert len(measured) >= 50 and all(figures["n"] == 2 for figures in measured.values())
    assert pages["anonymous: log-in page"]["ratio"] == 1.0
    assert pages["coordinator: network (cold)"]["status"] == 200
    assert pages["coordinator: network (cold)"]["ready_s"] is not None  # the worker worked it out
    assert "coordinator: network" in measured
    assert pages["coordinator: dashboard (cold)"]["status"] == 200
    # Every figure is named in the list of misses when it is over its target, and only then.
    for name, figures in measured.items():
        over = figures["p95_ms"] > 100 or figures["ratio"] > 3
        assert (name in result["missed"]) == over, name
