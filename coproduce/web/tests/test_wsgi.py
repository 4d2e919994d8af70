"""Issue 19: a gunicorn worker builds what every request needs before its first request and takes it
out of the garbage collector's sweeps, so that a full collection does not stall a page every few
requests (those stalls were most of the load test's p95 on the figures pages)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

WORKER = """
import gc, json, time
import coproduce.wsgi
frozen, loose = gc.get_freeze_count(), len(gc.get_objects())
from django.urls import reverse
reverse("communities:home", args=["riverside"])  # the URL patterns are built already
grown = len(gc.get_objects()) - loose
gc.collect()
print(json.dumps({"frozen": frozen, "loose": loose, "grown": grown}))
"""


def test_the_served_application_is_built_and_frozen_before_its_first_request():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "wsgi-test-" + "x" * 50, "ALLOWED_HOSTS": "localhost"}
    run = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    # Nearly everything alive after start-up (Django, the URL patterns, the catalogues) is frozen;
    # what a full collection still walks is a few per cent of it.
    assert figures["frozen"] > 100_000
    assert figures["loose"] < figures["frozen"] // 20
    # Reversing a URL needs no new tables: they were made before the freeze.
    assert figures["grown"] < 1_000, figures
