"""The load test (issue 19): what a member, a facilitator, partner staff and a coordinator wait
for in a day, served the production way (gunicorn, DEBUG off, collected static files) over the
configured database with the demo seeded at any size.

``day_of_pages`` names every page each role opens, resolved against the demo's own data (the
member's conversation, the facilitator's group, the staff member's organisation...), so the
query-count test (``tests/test_loadtest_pages.py``) walks the very same list. ``run`` logs each
role in through the real log-in form (the coordinator through the authenticator step too), then
``clients`` threads request every page ``requests`` times between them, in a shuffled order, and
returns p50 and p95 per page with each p95 over the p95 of a trivial page measured in the same
run. Coordinators' measurement pages that read the whole history (the dashboard, the network)
have their own target, a cold open within 2 s, and are opened once each before the run, cold. A
large bank's network is worked out by the task worker then: the run reports how long after the
cold open its figures were shown, and starts the clock only once they are (the worker's busy core
would otherwise be counted in every page's time).
"""

from __future__ import annotations

import http.client
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.contrib.auth import get_user_model

from coproduce.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG, DEMO_TOTP_SECRET

ROLES = ("anonymous", "member", "facilitator", "partner staff", "coordinator")
TRIVIAL = "anonymous: log-in page"
SEARCH = "Could someone help me with my garden this week?"  # a sentence, as members type it


@dataclass(frozen=True)
class Page:
    name: str  # "member: statement"
    role: str
    path: str
    htmx: bool = False  # requested by htmx (a part of a page), with its header


def _first(queryset):
    found = queryset.first()
    if found is None:
        raise LookupError(f"the demo has no {queryset.model._meta.verbose_name}: seed it first (seed_demo)")
    return found


def day_of_pages(slug: str = DEMO_SLUG) -> tuple[list[Page], list[Page]]:
    """(the pages of a day, the coordinator's measurement pages opened cold), for the demo."""
    from coproduce.assets.models import Service
    from coproduce.conversations.models import Participant
    from coproduce.groups.models import GroupMember, GroupRole, Session
    from coproduce.market.models import Post, PostKind, PostStatus
    from coproduce.members.models import Membership
    from coproduce.partners.models import Opportunity, Staff
    from coproduce.referrals.models import Referral

    people = {u.email: u for u in get_user_model().objects.filter(email__in=DEMO_LOGINS.values())}
    member = _first(Membership.objects.filter(community__slug=slug, user=people[DEMO_LOGINS["member"]]))
    neighbour = _first(Membership.objects.active().filter(community__slug=slug).exclude(pk=member.pk).order_by("pk"))
    post = _first(Post.objects.filter(community__slug=slug, status=PostStatus.OPEN).exclude(author=member)
                  .order_by("-pk"))
    conversation = _first(Participant.objects.filter(user=member.user, conversation__community__slug=slug)
                          .order_by("-conversation_id")).conversation_id
    facilitated = _first(GroupMember.objects.filter(membership__user=people[DEMO_LOGINS["facilitator"]],
                                                    membership__community__slug=slug, role=GroupRole.FACILITATOR))
    session = _first(Session.objects.filter(group_id=facilitated.group_id).order_by("-starts_at"))
    staff = _first(Staff.objects.filter(user=people[DEMO_LOGINS["partner staff"]], organisation__community__slug=slug))
    organisation = staff.organisation_id
    opportunity = _first(Opportunity.objects.filter(organisation_id=organisation).order_by("-pk"))
    referral = _first(Referral.objects.filter(organisation_id=organisation).order_by("-pk"))
    service = _first(Service.objects.filter(community__slug=slug).order_by("pk"))
    waiting = _first(Post.objects.filter(community__slug=slug, kind=PostKind.REQUEST, status=PostStatus.OPEN)
                     .order_by("created_at", "pk"))  # the queue's oldest, or the oldest open request
    c = f"/c/{slug}"
    search = urlencode({"q": SEARCH})
    day = {
        "anonymous": [
            ("log-in page", "/accounts/login/"),
            ("time banks", "/time-banks/"),
            ("public figures", f"{c}/figures/"),
            ("public network", f"{c}/figures/network/"),
        ],
        "member": [
            ("home", "/home/"),
            ("home: who might help (htmx)", f"/home/{slug}/matching/"),
            ("time banks", "/time-banks/"),
            ("community page", f"{c}/"),
            ("statement", f"{c}/ledger/"),
            ("waiting to confirm", f"{c}/ledger/pending/"),
            ("record an exchange", f"{c}/ledger/record/"),
            ("offers and requests", f"{c}/market/"),
            ("search with a sentence", f"{c}/market/?{search}"),
            ("requests I could help with", f"{c}/market/matches/"),
            ("my posts", f"{c}/market/mine/"),
            ("a post", f"{c}/market/{post.pk}/"),
            ("messages", f"{c}/messages/"),
            ("a conversation", f"{c}/messages/{conversation}/"),
            ("members", f"{c}/members/"),
            ("a member's profile", f"{c}/members/{neighbour.pk}/"),
            ("groups", f"{c}/groups/"),
            ("directory", f"{c}/directory/"),
            ("directory map data", f"{c}/directory/map.json?bbox=-6.0,50.0,2.0,56.0"),
            ("a directory entry", f"{c}/directory/{service.pk}/"),
            ("spend credits", f"{c}/spend/"),
            ("public figures", f"{c}/figures/"),
            ("my time banks", "/me/"),
        ],
        "facilitator": [
            ("home", "/home/"),
            ("the group", f"{c}/groups/{facilitated.group_id}/"),
            ("the group's threads", f"{c}/groups/{facilitated.group_id}/threads/"),
            ("a session", f"{c}/sessions/{session.pk}/"),
            ("a session's register", f"{c}/sessions/{session.pk}/register/"),
        ],
        "partner staff": [
            ("home", "/home/"),
            ("the organisation", f"{c}/partners/{organisation}/"),
            ("an opportunity", f"{c}/opportunities/{opportunity.pk}/"),
            ("its attendance", f"{c}/opportunities/{opportunity.pk}/attendance/"),
            ("referrals", f"{c}/referrals/"),
            ("a referral", f"{c}/referrals/{referral.pk}/"),
            ("the partner's figures", f"{c}/insights/partner/{organisation}/"),
        ],
        "coordinator": [
            ("home", "/home/"),
            ("coordinate", f"{c}/coordinate/"),
            ("members", f"{c}/members/"),
            ("ledger search", f"{c}/coordinate/ledger/"),
            ("approvals", f"{c}/coordinate/approvals/"),
            ("brokerage", f"{c}/coordinate/brokerage/"),
            ("brokerage: who might help (htmx)", f"{c}/coordinate/brokerage/{waiting.pk}/suggestions/"),
            ("audit", f"{c}/coordinate/audit/"),
            ("partners", f"{c}/partners/"),
            ("referrals", f"{c}/referrals/"),
            ("directory to check", f"{c}/directory/needs-checking/"),
            ("checks", f"{c}/coordinate/checks/"),
            ("reports", f"{c}/coordinate/reports/"),
            ("network", f"{c}/insights/network/"),
            ("outreach", f"{c}/insights/outreach/"),
            ("areas", f"{c}/insights/areas/"),
            ("core economy value", f"{c}/insights/value/"),
            ("local economy", f"{c}/local-economy/"),
        ],
    }
    pages = [Page(f"{role}: {name}", role, path, htmx="(htmx)" in name)
             for role, named in day.items() for name, path in named]
    cold = [Page("coordinator: dashboard (cold)", "coordinator", f"{c}/insights/"),
            Page("coordinator: network (cold)", "coordinator", f"{c}/insights/network/")]
    return pages, cold


class Browser:
    """One person's cookies over one kept-alive connection to the server (a thread each)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, form: dict | None = None, htmx: bool = False
                ) -> tuple[int, str, dict]:
        headers = {"Host": "localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://localhost/",
                            "Origin": "http://localhost"})
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):  # a worker closed the kept connection: once more
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())

    def submit(self, path: str, fields: dict) -> tuple[int, str]:
        _status, page, _headers = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise RuntimeError(f"{path} has no form to fill in")
        status, _text, headers = self.request("POST", path, {**fields, "csrfmiddlewaretoken": token.group(1)})
        return status, urlsplit(headers.get("Location", "")).path


def log_in(port: int, role: str) -> dict[str, str]:
    """The session cookies of a demo person, logged in through the real forms."""
    browser = Browser(port)
    if role == "anonymous":
        return {}
    status, where = browser.submit("/accounts/login/", {"login": DEMO_LOGINS[role], "password": DEMO_PASSWORD})
    if status != 302:
        raise RuntimeError(f"{role} could not log in (HTTP {status})")
    if where.startswith("/accounts/2fa/"):
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
        status, where = browser.submit(where, {"code": code})
        if status != 302 or where.startswith("/accounts/"):
            raise RuntimeError(f"{role} could not pass the authenticator step (HTTP {status})")
    return browser.cookies


# What a page says while its figures are worked out in the background (``insights/_network_results.html``).
BACKGROUND_MARK = 'id="network-results" aria-live="polite" hx-get='


def _watch(port: int, cookies: dict, page: Page, figures: dict, *, timeout: float = 900) -> None:
    """Sets ``figures["ready_s"]``: seconds until the page stops saying it is being worked out
    (None: not within ``timeout``), asking every two seconds as the page itself does."""
    since = time.monotonic()
    browser = Browser(port, cookies)
    figures["ready_s"] = None
    while time.monotonic() < since + timeout:
        time.sleep(2)
        if BACKGROUND_MARK not in browser.request("GET", page.path)[1]:
            figures["ready_s"] = round(time.monotonic() - since, 1)
            return


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def run(port: int, pages: list[Page], cold: list[Page], *, clients: int = 4, requests: int = 40,
        seconds: float = 900, seed: int = 1) -> dict:
    """Every page ``requests`` times, by ``clients`` at once; stops early after ``seconds``."""
    sessions = {role: log_in(port, role) for role in ROLES}
    work = [page for page in pages for _ in range(requests)]
    random.Random(seed).shuffle(work)
    timings: dict[str, list[float]] = {page.name: [] for page in pages}
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(share: list[Page]) -> None:
        browsers = {role: Browser(port, cookies) for role, cookies in sessions.items()}
        for page in share:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            status, _text, _headers = browsers[page.role].request("GET", page.path, htmx=page.htmx)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    timings[page.name].append(elapsed)
                elif len(failures) < 20:
                    failures.append(f"{page.name} {page.path}: HTTP {status}")

    opened_cold, watchers = {}, []
    for page in cold:  # before anything else has read what they read
        started = time.perf_counter()
        status, text, _headers = Browser(port, sessions[page.role]).request("GET", page.path)
        opened_cold[page.name] = figures = {"status": status, "ms": round((time.perf_counter() - started) * 1000, 1)}
        if BACKGROUND_MARK in text:  # queued for the worker: watch, as the page does, until it is shown
            watchers.append(threading.Thread(target=_watch, args=(port, sessions[page.role], page, figures)))
            watchers[-1].start()
    for watcher in watchers:  # the worker's busy core would be the pages' time, not theirs
        watcher.join()
    for page in pages:  # each page once before the clock starts, as after a while in service
        Browser(port, sessions[page.role]).request("GET", page.path, htmx=page.htmx)
    deadline = time.monotonic() + seconds  # the clock starts now
    threads = [threading.Thread(target=client, args=(work[n::clients],)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError("pages failed: " + "; ".join(failures))
    trivial_p95 = _percentile(timings[TRIVIAL], 95)
    result: dict = {"clients": clients, "requests_per_page": requests, "trivial_p95_ms": round(trivial_p95, 1),
                    "pages": {}}
    for name, values in timings.items():
        if not values:
            continue
        p95 = _percentile(values, 95)
        result["pages"][name] = {"n": len(values), "p50_ms": round(statistics.median(values), 1),
                                 "p95_ms": round(p95, 1), "ratio": round(p95 / trivial_p95, 2)}
    result["measured_all"] = all(len(timings[page.name]) == requests for page in pages)
    result["pages"].update(opened_cold)
    slowest = max((name for name in result["pages"] if "p95_ms" in result["pages"][name]),
                  key=lambda name: result["pages"][name]["p95_ms"])
    result["slowest"] = {"page": slowest, **result["pages"][slowest]}
    return result
