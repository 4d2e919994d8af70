"""Two Coproduce installations on this machine, linked to each other: each with its own database
and its own gunicorn on a loopback port, served the production way (DEBUG off). The federation
test (tests/test_two_servers.py) and benchmark (``bench_federation``) run on them.

Only loopback addresses; each server is a child process that can be killed with SIGKILL and
started again on the same database, as after a crash."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parents[2]
SECRET = "loopback-only-" + "k" * 50

# Run inside each installation (python -c) to make its community, members and API tokens.
_SEED = """
import datetime, json, django
django.setup()
from coproduce.accounts.models import User
from coproduce.api import tokens
from coproduce.communities.services import create_community
from coproduce.federation import services
from coproduce.members.models import Membership, MembershipStatus, Role
slug, name, members = {slug!r}, {name!r}, {members}
community = create_community(name=name, slug=slug, description=name, privacy_notice="Loopback test bank.",
                             started_on=datetime.date(2020, 1, 1), min_balance_minutes=-100000,
                             max_balance_minutes=100000)
coordinator = User.objects.create_user(email=f"coordinator@{{slug}}.test", password=None, name=f"Coordinator {{slug}}")
Membership.objects.create(user=coordinator, community=community, role=Role.COORDINATOR, status=MembershipStatus.ACTIVE)
rows = []
for n in range(members):
    user = User.objects.create_user(email=f"m{{n}}@{{slug}}.test", password=None, name=f"Member {{n}} of {{slug}}")
    membership = Membership.objects.create(user=user, community=community, role=Role.MEMBER,
                                           status=MembershipStatus.ACTIVE)
    token = tokens.create_token(user, name="loopback", scopes=["read", "exchanges"], days=7,
                                two_factor_done=False)[1]
    rows.append([membership.pk, token])
print(json.dumps({{"key": services.node_for(community).public_key, "members": rows}}))
"""

_LINK = """
import django
django.setup()
from coproduce.accounts.models import User
from coproduce.communities.models import Community
from coproduce.federation import services
services.link_bank(Community.objects.get(slug={slug!r}), name={name!r}, peer_url={url!r}, peer_slug={peer_slug!r},
                   peer_public_key={key!r}, we_may_owe={limit}, they_may_owe={limit},
                   actor=User.objects.get(email=f"coordinator@{slug}.test"))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Installation:
    slug: str
    name: str
    database_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    members: list[tuple[int, str]] = field(default_factory=list)  # (member number, API token)
    key: str = ""
    log: Path | None = None
    tasks_backend: str = "immediate"  # the load test queues them, as production does
    worker: subprocess.Popen | None = None  # the task worker, for queued background work

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
        env.update(DATABASE_URL=self.database_url, DEBUG="false", SECRET_KEY=SECRET, TASKS_BACKEND=self.tasks_backend,
                   ALLOWED_HOSTS="127.0.0.1,localhost", SITE_URL=self.url, API_RATE="1000000/min",
                   LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="coproduce.settings")
        env.pop("REDIS_URL", None)
        return env

    def python(self, code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env(), capture_output=True, text=True,
                              timeout=300)
        if done.returncode:
            raise RuntimeError(f"{self.slug}: {done.stderr[-3000:]}")
        return done.stdout

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True,
                              text=True, timeout=300)
        if check and done.returncode:
            raise RuntimeError(f"{self.slug} {args}: {done.stdout[-2000:]} {done.stderr[-3000:]}")
        return done

    def seed(self, members: int) -> None:
        found = json.loads(self.python(_SEED.format(slug=self.slug, name=self.name, members=members)))
        self.key, self.members = found["key"], [tuple(row) for row in found["members"]]

    def link_to(self, other: Installation, limit: int) -> None:
        self.python(_LINK.format(slug=self.slug, name=other.name, url=other.url, peer_slug=other.slug,
                                 key=other.key, limit=limit))

    def start(self, workers: int = 2, task_worker: bool = False) -> None:
        """Gunicorn with ``workers`` workers; with ``task_worker``, beside it the task worker that
        production runs for queued background work (``manage.py db_worker``)."""
        with open(self.log or os.devnull, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "coproduce.wsgi", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", str(workers), "--threads", "4", "--timeout", "30", "--graceful-timeout", "1"],
                cwd=ROOT, env=self.env(), stdout=log, stderr=log, start_new_session=True)
            if task_worker:
                self.worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.5"],
                                               cwd=ROOT, env=self.env(), stdout=log, stderr=log,
                                               start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.slug}'s server stopped at start (see {self.log})")
            try:
                with urllib.request.urlopen(f"{self.url}/federation/v1/{self.slug}", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.slug}'s server did not answer within a minute")

    def kill(self) -> None:
        """SIGKILL the server and its workers: no clean shutdown, as in a crash."""
        for process in (self.process, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.process = self.worker = None

    def stop(self) -> None:
        for process in (self.process, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill()
        self.process = self.worker = None


def _admin_connection(config: dict):
    import psycopg

    return psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432,
                           user=config["USER"] or "postgres", password=config.get("PASSWORD") or None,
                           dbname="postgres", autocommit=True)


def make_databases(base_url: str, names: list[str], workdir: Path) -> list[str]:
    """One migrated database per name, next to ``base_url``'s (PostgreSQL: new databases on its
    server; SQLite: files in ``workdir``). The first is migrated, the others copied from it."""
    config = dj_database_url.parse(base_url)
    if config["ENGINE"].endswith("sqlite3"):
        urls = [f"sqlite:///{workdir / (name + '.sqlite3')}" for name in names]
        Installation("x", "x", urls[0]).manage("migrate", "-v0")
        for url in urls[1:]:
            shutil.copyfile(urls[0].removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
        return urls
    with _admin_connection(config) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{names[0]}"')
    server = base_url.rsplit("/", 1)[0]
    urls = [f"{server}/{name}" for name in names]
    Installation("x", "x", urls[0]).manage("migrate", "-v0")
    with _admin_connection(config) as admin:
        for name in names[1:]:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{names[0]}"')
    return urls


def drop_databases(base_url: str, urls: list[str]) -> None:
    config = dj_database_url.parse(base_url)
    if config["ENGINE"].endswith("sqlite3"):
        return
    with _admin_connection(config) as admin:
        for url in urls:
            admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def linked_pair(base_url: str, workdir: Path, *, members: int = 4, limit: int = 100000,
                prefix: str = "coproduce_loopback") -> tuple[Installation, Installation]:
    """Riverside and Hilltop, each on its own database and server, linked both ways."""
    urls = make_databases(base_url, [f"{prefix}_a", f"{prefix}_b"], workdir)
    a = Installation("riverside", "Riverside Time Bank", urls[0], log=workdir / "riverside.log")
    b = Installation("hilltop", "Hilltop Time Bank", urls[1], log=workdir / "hilltop.log")
    for installation in (a, b):
        installation.seed(members)
    a.link_to(b, limit)
    b.link_to(a, limit)
    return a, b


def call(installation: Installation, method: str, path: str, token: str, payload: dict | None = None,
         timeout: float = 15) -> tuple[int, dict]:
    """One API request to an installation, as a member app makes it. OSError if it does not
    answer (its connection is closed either way: a killed server leaves nothing open here)."""
    body = None if payload is None else json.dumps(payload).encode()
    connection = http.client.HTTPConnection("127.0.0.1", installation.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    except http.client.HTTPException as error:  # the server went away mid-answer
        raise OSError(str(error)) from error
    finally:
        connection.close()
