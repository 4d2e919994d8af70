"""Done when (issue 17): a script that knows only the published OpenAPI schema logs an exchange.
scripts/log_exchange.py reads /api/v1/schema/ from a running server, finds the operation, checks
its arguments against the schema's shapes and records the exchange; the ledger shows it."""

import subprocess
import sys
from pathlib import Path

from coproduce.api.tests.client import token
from coproduce.ledger.models import Account
from coproduce.members.models import Membership

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "log_exchange.py"


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_a_script_with_only_the_schema_logs_an_exchange(live_server, transactional_db, riverside, member,
                                                        second_member):
    bob = Membership.objects.get(user=second_member, community=riverside)
    raw = token(member, scopes=("exchanges",))
    done = _run("--site", live_server.url, "--token", raw, "--community", "riverside", "--other", str(bob.pk),
                "--minutes", "90", "--direction", "received", "--date", "2026-01-05", "--description", "A lift")
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"http_status": 201' in done.stdout and '"status": "posted"' in done.stdout
    assert Account.objects.get(membership=bob).balance == 90
    # The schema's own choices refuse a direction it does not know, before anything is sent.
    refused = _run("--site", live_server.url, "--token", raw, "--community", "riverside", "--other", str(bob.pk),
                   "--minutes", "90", "--direction", "sideways")
    assert refused.returncode != 0 and "direction must be one of" in refused.stderr
    assert Account.objects.get(membership=bob).balance == 90
