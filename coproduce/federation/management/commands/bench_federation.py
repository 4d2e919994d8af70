"""Two linked installations on loopback ports (``federation.loopback``: each its own database next
to the configured one, its own gunicorn with 2 workers, DEBUG off): API read latency and federated
transfers per second between them, then a reconciliation that must find both ledgers agreeing.

Prints one JSON line: p95 of the API's balance and statement page beside a trivial request's
(the bank's public key, no database work beyond one row) measured in the same run, and crossings
per second with 4 clients recording at once (two in each bank), each one booked on both ledgers
before its request returns."""

import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coproduce.federation import loopback


def _p(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


def _timed(installation, path, token, count) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        status, body = loopback.call(installation, "GET", path, token)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise CommandError(f"{path}: {status} {body}")
    return times


class Command(BaseCommand):
    help = "Benchmark the API's reads and federated transfers between two local installations."

    def add_arguments(self, parser):
        parser.add_argument("--transfers", type=int, default=600, help="crossings in all (default 600)")
        parser.add_argument("--reads", type=int, default=200, help="requests per read figure (default 200)")

    def handle(self, *args, transfers, reads, **options):
        base = settings.DATABASES["default"]
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{base['NAME']}"
        workdir = Path(tempfile.mkdtemp(prefix="bench_federation_"))
        a, b = loopback.linked_pair(url, workdir, members=8, prefix=f"coproduce_benchfed_{os.getpid()}")
        try:
            a.start()
            b.start()
            result = self._measure(a, b, transfers, reads)
        finally:
            a.stop()
            b.stop()
            loopback.drop_databases(url, [a.database_url, b.database_url])
        self.stdout.write(json.dumps(result))

    def _measure(self, a, b, transfers, reads) -> dict:
        failures = []

        def client(payer_bank, payee_bank, offset, count):
            for n in range(count):
                _number, token = payer_bank.members[(offset + n) % len(payer_bank.members)]
                payee = payee_bank.members[(offset + n * 3) % len(payee_bank.members)][0]
                status, body = loopback.call(payer_bank, "POST", f"/api/v1/communities/{payer_bank.slug}/crossings",
                                             token, {"bank": 1, "their_member": payee, "minutes": 15,
                                                     "performed_on": "2026-01-05", "uuid": str(uuid.uuid4())})
                if status != 201 or body.get("state") != "completed":
                    failures.append(body)

        for warm in range(8):  # both servers' workers warm, as after a while in service
            client(a, b, warm, 1)
            client(b, a, warm, 1)
        each = transfers // 4
        threads = [threading.Thread(target=client, args=(bank, other, n, each))
                   for n, (bank, other) in enumerate([(a, b), (a, b), (b, a), (b, a)])]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        if failures:
            raise CommandError(f"{len(failures)} transfers failed, e.g. {failures[0]}")

        _number, token = a.members[0]
        trivial = _timed(a, f"/federation/v1/{a.slug}", token, reads)
        balance = _timed(a, f"/api/v1/communities/{a.slug}/balance", token, reads)
        statement = _timed(a, f"/api/v1/communities/{a.slug}/statement?page_size=50", token, reads)
        agreed = all(bank.manage("reconcile_federation", check=False).returncode == 0 for bank in (a, b))
        trivial_p95 = _p(trivial, 95)
        return {
            "transfers": each * 4, "transfers_per_s": round(each * 4 / elapsed, 1), "clients": 4,
            "trivial_p95_ms": trivial_p95, "balance_p95_ms": _p(balance, 95), "statement_p95_ms": _p(statement, 95),
            "balance_ratio": round(_p(balance, 95) / trivial_p95, 2),
            "statement_ratio": round(_p(statement, 95) / trivial_p95, 2),
            "reconciled": agreed, "load": round(os.getloadavg()[0], 2),
        }
