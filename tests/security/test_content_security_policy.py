"""Every page carries a strict Content-Security-Policy and needs nothing it forbids.

The policy allows scripts, styles and images from our own static files only. A page that still
had an inline <script>, a <style> block, a style="" or on...="" attribute or a javascript: link
would break under it (or, were the policy loosened for it, let injected markup run). The
browser test (coproduce/web/tests/browser/test_content_security_policy.py) checks what the
browser itself reports.
"""

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from coproduce import testing
from coproduce.lib import charts
from coproduce.members.models import Membership
from coproduce.settings import MAP_TILE_URL, tile_origin

POLICY = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Images: our own, data: (QR codes), and the map's tile server, the one origin of its URL.
    " ".join(["img-src 'self' data:", *tile_origin(MAP_TILE_URL)]),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}

SEEDS = {
    "anonymous": [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/c/riverside/",
        "/c/riverside/figures/",
        "/c/riverside/figures/network/",
        "/no-such-page/",
    ],
    "member": [
        "/me/",
        "/me/demographics/",
        "/c/riverside/",
        "/c/riverside/members/",
        "/c/riverside/market/",
        "/c/riverside/ledger/",
        "/c/riverside/ledger/record/",
        "/c/riverside/ledger/timesheet/",
        "/c/riverside/wellbeing/",
        "/c/riverside/wellbeing/paper/",
        "/c/riverside/members/lookup/?q=Bo",
        "/c/hilltop/members/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
    ],
    "coordinator": [
        "/c/riverside/coordinate/",
        "/c/riverside/insights/",
        "/c/riverside/insights/value/",
        "/c/riverside/insights/network/",
        "/c/riverside/coordinate/ledger/",
    ],
    "site_admin": [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/{member}/change/",
        "/admin/communities/community/add/",
        "/admin/members/membership/",
    ],
}
# Links not to follow: they log out, download, or are not pages.
SKIP = ("/accounts/logout/", "/static/", ".pdf", ".csv", ".ics", "/admin/logout/", "/unsubscribe/")


class Inline(HTMLParser):
    """Collects what a strict policy blocks, and the page's links."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._script_without_src = False
        self._htmx_config = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith(("on", "hx-on")):
                self.problems.append(f"<{tag} {name}=...>")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.problems.append("<style> block")
        if tag == "meta" and attributes.get("name") == "htmx-config":
            self._htmx_config = json.loads(attributes["content"])
        if tag == "script":
            data_block = attributes.get("type") in {"application/json", "text/template"}
            self._script_without_src = not attributes.get("src") and not data_block
            # Unless told not to (before it loads), htmx adds a <style> for its indicators.
            if (
                "htmx" in (attributes.get("src") or "")
                and (self._htmx_config or {}).get("includeIndicatorStyles") is not False
            ):
                self.problems.append("htmx loaded without includeIndicatorStyles: false")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_data(self, data):
        if self._script_without_src and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_without_src = False


def policy(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Content-Security-Policy", "").split(";")}


def check(client, url, seen, failures):
    response = client.get(url)
    seen.add(url)
    if response.status_code in (301, 302):
        return []
    assert policy(response) == POLICY, url
    if not response["Content-Type"].startswith("text/html"):
        return []
    parser = Inline()
    parser.feed(response.content.decode())
    failures.extend(f"{url}: {problem}" for problem in parser.problems)
    return parser.links


@pytest.mark.parametrize("persona", list(SEEDS))
def test_every_page_carries_the_policy_and_needs_nothing_inline(
    request, riverside, hilltop, member, second_member, persona
):
    client = testing.Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    seeds = [url.format(member=member.pk) for url in SEEDS[persona]]
    seen: set[str] = set()
    failures: list[str] = []
    links = []
    for url in seeds:
        links += check(client, url, seen, failures)
    # One step further: every page those link to on this site.
    for href in links:
        parts = urlsplit(href)
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.netloc or not url.startswith("/") or url in seen or any(s in url for s in SKIP):
            continue
        check(client, url, seen, failures)
    assert len(seen) > len(seeds)
    assert not failures, "\n".join(failures)


def test_redirects_and_errors_carry_the_policy_too(client, member):
    assert policy(client.get("/c/riverside/coordinate/")) == POLICY  # to log in
    client.force_login(member)
    assert policy(client.get("/c/hilltop/members/")) == POLICY  # 403


def test_server_drawn_charts_use_no_style_attributes():
    series = [charts.Series("This year", [1, 2, None, 4]), charts.Series("Last year", [2, 1, 3, 3])]
    drawn = [
        charts.bar_chart(["a", "b", "c"], [3, None, 5], title="Bars"),
        charts.line_chart(["Jan", "Feb", "Mar", "Apr"], series, title="Lines"),
        charts.scatter_plot([(1, 2), (3, 4)], title="Points", trend=(0.5, 1.0)),
        charts.radar_chart(["a", "b", "c", "d"], series, title="Radar"),
    ]
    for svg in drawn:
        parser = Inline()
        parser.feed(svg)
        assert not parser.problems, (svg[:80], parser.problems)


def test_no_template_has_inline_code():
    """The same rule on the source, for pages the crawl above does not reach. The PDF report
    (insights/report.html) is only ever printed by WeasyPrint, never served, so it may style
    itself inline; so may the page inside a person's copy of their data (privacy/archive/index.html),
    which is opened from their own disk, where it has no stylesheet to link to."""
    from pathlib import Path

    import coproduce

    root = Path(coproduce.__file__).parent
    failures = []
    for template in root.rglob("templates/**/*.html"):
        if template.relative_to(root).as_posix() in {"insights/templates/insights/report.html",
                                                     "privacy/templates/privacy/archive/index.html"}:
            continue
        parser = Inline()
        parser.feed(template.read_text())
        failures.extend(f"{template.relative_to(root)}: {problem}" for problem in parser.problems)
    assert not failures, "\n".join(failures)


def test_the_member_lookup_is_an_html_fragment_with_no_inline_code(client, member, second_member):
    client.force_login(member)
    response = client.get("/c/riverside/members/lookup/", {"q": "Bo"})
    assert response.status_code == 200
    bob = Membership.objects.get(user=second_member)
    assert f"Bob Brown (#{bob.pk})" in response.content.decode()
