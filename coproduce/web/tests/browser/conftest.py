"""Playwright + axe-core fixtures for the browser tests.

Chromium is Debian's (/usr/bin/chromium, or $COPRODUCE_CHROMIUM); nothing is downloaded.
axe-core comes from the axe-playwright-python package (its bundled axe.min.js), never
from the web. Every page a browser test visits goes through ``visit``/``axe_check``.
"""

import os
import re
import time

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# Every rule axe enables by default (WCAG 2.0/2.1 A and AA, and its best practices: landmarks,
# heading order, skip links, ...), plus WCAG 2.2's target size, which axe leaves off by default:
# small, crowded click targets are hard for older hands.
AXE_OPTIONS = {"resultTypes": ["violations", "incomplete"], "rules": {"target-size": {"enabled": True}}}


def _axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl'].split('?')[0]}]")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {node['html'][:160]}")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


# Markup that already passed axe in this session (same HTML, same window width): checking it
# again would give the same answer, so it is skipped. CSRF tokens differ on every page and are
# left out of the comparison.
_PASSED: set[tuple[int, int]] = set()
_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": &quot;|X-CSRFToken&quot;: &quot;)[^"&]+')


def _measured_contrast_failures(incomplete: list[dict]) -> list[dict]:
    """Contrast that axe measured but filed under "needs review".

    axe reports a 1:1 ratio (text the colour of its background) as incomplete, in case the
    text is meant to be hidden; on our pages that is always a bug (white links on white).
    """
    failures = []
    for result in incomplete:
        if result["id"] != "color-contrast":
            continue
        nodes = []
        for node in result["nodes"]:
            data = (node.get("any") or [{}])[0].get("data") or {}
            ratio, expected = data.get("contrastRatio"), str(data.get("expectedContrastRatio", "4.5:1"))
            if isinstance(ratio, (int, float)) and ratio and ratio < float(expected.split(":")[0]):
                nodes.append(node)
        if nodes:
            failures.append({**result, "nodes": nodes})
    return failures


# Issue 13: no page scrolls sideways on a 320 px phone or a 1,280 px laptop. Every page a test
# visits is laid out at both widths (whatever window the test itself uses) and measured.
LAYOUT_WIDTHS = (320, 1280)


def overflow_at(page, widths=LAYOUT_WIDTHS) -> list[str]:
    """The widths at which the page is wider than the window, as readable failures."""
    original = page.viewport_size or {"width": 1024, "height": 800}
    failures = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": original["height"]})
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if scroll > client:
                culprits = page.evaluate("""w => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > w + 1)
                    .slice(-3).map(e => e.outerHTML.slice(0, 120))""", client)
                failures.append(f"{page.url} is {scroll} px wide in a {width} px window; widest: {culprits}")
    finally:
        page.set_viewport_size(original)
    return failures


def axe_check(page, *, mirror=None) -> None:
    """Run axe-core on the page as it is now, and check that it fits a 320 px and a 1,280 px
    window; fail with a readable list of violations.

    axe needs JavaScript (timers). For a page in a context with JavaScript turned off, pass
    ``mirror``: a page in a JavaScript-enabled context, where the same HTML is served at the
    same address (so stylesheets load as they did) and checked instead.
    """
    url = page.url
    html = page.content()
    key = ((page.viewport_size or {}).get("width", 0), hash(_TOKENS.sub(r"\1", html)))
    if key in _PASSED:
        return
    if mirror is not None:
        def as_without_javascript(route):
            request = route.request
            if request.url == url and request.resource_type == "document":
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            elif request.resource_type == "script":
                # The person has JavaScript turned off: the page's own scripts stay out of the
                # mirror too, or htmx there fetched a fragment without the session (a log-in page
                # swapped into the page) while axe was reading it.
                route.abort()
            else:
                route.continue_()

        mirror.route("**/*", as_without_javascript)
        mirror.goto(url)
        mirror.unroute("**/*", as_without_javascript)
        page = mirror
    overflow = overflow_at(page)
    if overflow:
        pytest.fail("\n".join(overflow), pytrace=False)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations = results["violations"] + _measured_contrast_failures(results["incomplete"])
    if violations:
        pytest.fail(format_violations(url, violations), pytrace=False)
    _PASSED.add(key)


class Browser:
    """One browser context (a person at their computer) on the live server."""

    def __init__(self, context, base_url, *, mirror=None):
        self.context = context
        self.base_url = base_url
        self.mirror = mirror
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)

    def visit(self, path: str, *, status: int = 200):
        """Open a page on the live server, check the status and run axe on it."""
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, (path, response and response.status)
        axe_check(self.page, mirror=self.mirror)
        return self.page

    def check(self):
        """Run axe on wherever the last click or submit landed."""
        self.page.wait_for_load_state()
        axe_check(self.page, mirror=self.mirror)
        return self.page

    @property
    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.page.url).split("#")[0]


@pytest.fixture(scope="session", autouse=True)
def _end_stray_postgres_sessions(django_db_setup):
    """Before the test database is dropped, end sessions that browser tests left behind.

    Django code running while Playwright's greenlets are active can open connections
    that Django's teardown never closes; PostgreSQL then refuses to drop the test
    database ("being accessed by other users"). A separate connection ends them all.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db["USER"] or None, password=db["PASSWORD"] or None,
                         host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True) as own:
        own.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("COPRODUCE_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _scripts_fetch_nothing(route):
    """The mirror's route: scripts' own requests (htmx, the map's data) are refused. A request
    the page abandoned as it moved on is already settled; that is not an error."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        if route.request.resource_type in ("xhr", "fetch"):
            route.abort()
        else:
            route.fallback()
    except PlaywrightError as error:
        if "already handled" not in str(error):
            raise


@pytest.fixture
def new_browser(chromium, live_server):
    """new_browser(**context_options) opens a fresh context (own cookies) on the live server."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1024, "height": 800})
        options.setdefault("locale", "en-GB")
        context = chromium.new_context(**options)
        contexts.append(context)
        mirror = None
        if options.get("java_script_enabled") is False:
            mirror_context = chromium.new_context(viewport=options["viewport"], locale=options["locale"])
            # The mirror runs scripts only for axe: htmx's own requests (made without the
            # person's cookies) must not change the page that a visitor without JavaScript sees.
            mirror_context.route("**/*", _scripts_fetch_nothing)
            contexts.append(mirror_context)
            mirror = mirror_context.new_page()
        return Browser(context, live_server.url, mirror=mirror)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser(new_browser):
    return new_browser()


def login(b: Browser, email: str, password: str, *, totp: bool = False) -> None:
    """Log in through allauth's pages (with the TOTP stage when asked), checking each page."""
    from coproduce import testing

    b.visit("/accounts/login/")
    b.page.get_by_label("E-mail").first.fill(email)
    b.page.get_by_label("Password").first.fill(password)
    b.page.get_by_role("button", name=re.compile("^Log in$", re.I)).click()
    b.check()
    if totp:
        assert "/accounts/2fa/authenticate/" in b.path, b.path
        # A code is good for its 30-second window only: don't type one that is about to expire.
        left = 30 - time.time() % 30
        if left < 4:
            time.sleep(left + 0.2)
        b.page.get_by_label(re.compile("Authenticator code|Code", re.I)).fill(testing.totp_code())
        b.page.get_by_role("button", name=re.compile("^(Log in|Verify|Confirm)$", re.I)).click()
        b.check()
    assert "/accounts/login/" not in b.path and "/accounts/2fa/" not in b.path, b.path


def logout(b: Browser) -> None:
    b.page.get_by_role("button", name="Log out").click()
    b.check()


def force_login(b: Browser, user) -> None:
    """Give a browser context a logged-in session without walking through the log-in pages
    (the main journey test covers those), with the TOTP step recorded as allauth's log-in does."""
    from django.conf import settings

    from coproduce.testing import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    b.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                            "url": b.base_url}])


def tab_to(page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the element matching selector has focus (fail if it never does)."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{selector} could not be reached with the Tab key")
