"""Reading a feed or a file: the version, the pages of /services, full records where a list gives
summaries, and organisations the services name but do not nest. Nothing is checked or written here."""

import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from coproduce.assets.importer.report import ImportFailed
from coproduce.assets.importer.schema import _service_schema, schema_problems

FEED_VERSION = "HSDS-UK-3.0"
TIMEOUT_SECONDS = 20
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
MAX_PAGES = 1000  # a feed that never ends is a broken feed, not a big one
# The nested collections of a full service record: a list item with none of them is a summary.
_NESTED = (
    "schedules",
    "service_at_locations",
    "attributes",
    "languages",
    "cost_options",
    "contacts",
)

Fetch = Callable[[str], bytes]



@dataclass(frozen=True)
class Row:
    """One service as the feed gave it, and where: page (None for a file that is a plain list) and position."""

    page: int | None
    position: int
    data: object

    @property
    def id(self) -> str:
        return str(self.data.get("id", "")) if isinstance(self.data, dict) else ""

    def label(self) -> str:
        where = (
            _("service %(n)s") % {"n": self.position}
            if self.page is None
            else _("page %(page)s, service %(n)s") % {"page": self.page, "n": self.position}
        )
        return f"{where} (id {self.id})" if self.id else where


def _no_constant(name: str):
    raise ValueError(
        f"{name} is not a JSON number"
    )  # Python reads NaN and Infinity; JSON has neither


def _parse_json(data: bytes, where: str):
    try:
        return json.loads(data, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportFailed(
            [_("%(where)s is not JSON: %(error)s") % {"where": where, "error": error}]
        ) from error


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_public_url(newurl)  # a public feed must not redirect us into the private network
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def check_public_url(url: str) -> None:
    """Refuse URLs that are not http(s) or that point into a private network (the page's guard against
    being used to reach internal services)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImportFailed([_("%(url)s is not an http or https address.") % {"url": url}])
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except ValueError as error:  # a port out of range
        raise ImportFailed([_("%(url)s is not a valid address.") % {"url": url}]) from error
    except (socket.gaierror, UnicodeError) as error:
        raise ImportFailed([_("Could not find %(host)s.") % {"host": parts.hostname}]) from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise ImportFailed(
                [_("%(host)s is not on the public internet.") % {"host": parts.hostname}]
            )


def http_fetch(url: str, *, public_only: bool = False, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """GET a feed URL; a clear ``ImportFailed`` for a timeout, an HTTP error or an answer too large."""
    if public_only:
        check_public_url(url)
    handlers = [_CheckedRedirects()] if public_only else []
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "Coproduce import_oruk"}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ImportFailed(
            [_("%(url)s answered HTTP %(status)s.") % {"url": url, "status": error.code}]
        ) from error
    except TimeoutError as error:
        raise ImportFailed(
            [
                _("%(url)s did not answer within %(seconds)s seconds.")
                % {"url": url, "seconds": timeout}
            ]
        ) from error
    except ValueError as error:  # http.client.InvalidURL, a port out of range
        raise ImportFailed([_("%(url)s is not a valid address.") % {"url": url}]) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise ImportFailed(
                [
                    _("%(url)s did not answer within %(seconds)s seconds.")
                    % {"url": url, "seconds": timeout}
                ]
            ) from error
        raise ImportFailed(
            [_("Could not reach %(url)s: %(reason)s") % {"url": url, "reason": error.reason}]
        ) from error
    except (OSError, http.client.HTTPException) as error:  # the connection broke while reading
        raise ImportFailed(
            [_("Could not read %(url)s: %(reason)s") % {"url": url, "reason": error}]
        ) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise ImportFailed(
            [
                _("%(url)s sent more than %(mb)s MB.")
                % {"url": url, "mb": MAX_RESPONSE_BYTES // 2**20}
            ]
        )
    return body


def _contents(page, where: str) -> list:
    if not isinstance(page, dict) or not isinstance(page.get("contents"), list):
        raise ImportFailed(
            [_("%(where)s is not a page of services (no “contents” list).") % {"where": where}]
        )
    return page["contents"]


def read_feed(base_url: str, fetch: Fetch = http_fetch) -> tuple[list[Row], int, list[dict]]:
    """Every service of the feed at ``base_url``, page by page, with full records: (rows, pages read,
    the parents of their terms)."""
    base = base_url.rstrip("/")
    root = _parse_json(fetch(f"{base}/"), _("The feed's root (%(url)s)") % {"url": f"{base}/"})
    version = root.get("version") if isinstance(root, dict) else None
    if version != FEED_VERSION:
        raise ImportFailed(
            [
                _(
                    "%(url)s is not an Open Referral UK feed: its version is “%(version)s”, "
                    "not %(expected)s."
                )
                % {"url": f"{base}/", "version": version or "", "expected": FEED_VERSION}
            ]
        )
    rows, number, total = [], 1, 1
    while number <= total:
        where = _("Page %(page)s of the services (%(url)s)") % {
            "page": number,
            "url": f"{base}/services?page={number}",
        }
        page = _parse_json(fetch(f"{base}/services?page={number}"), where)
        contents = _contents(page, where)
        total = page.get("total_pages")
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise ImportFailed(
                [_("%(where)s has no whole number “total_pages”.") % {"where": where}]
            )
        if total > MAX_PAGES:
            raise ImportFailed(
                [
                    _("The feed says it has %(total)s pages; at most %(max)s are read.")
                    % {"total": total, "max": MAX_PAGES}
                ]
            )
        for position, item in enumerate(contents, 1):
            row = Row(number, position, item)
            if (
                isinstance(item, dict)
                and item.get("id")
                and not any(key in item for key in _NESTED)
            ):
                detail = _parse_json(
                    fetch(f"{base}/services/{urllib.parse.quote(str(item['id']))}"),
                    _("The full record of %(row)s") % {"row": row.label()},
                )
                if not isinstance(detail, dict) or str(detail.get("id")) != str(item["id"]):
                    raise ImportFailed(
                        [_("%(row)s: the full record has another id.") % {"row": row.label()}]
                    )
                row = Row(number, position, detail)
            rows.append(row)
        number += 1
    return rows, number - 1, _missing_parents(base, rows, fetch)


def _missing_parents(base: str, rows: list[Row], fetch: Fetch) -> list[dict]:
    """Terms named only as a parent (``parent_id``) are read from ``/taxonomy_terms/{id}``, so the
    hierarchy survives; a parent the feed cannot give is left out."""
    terms = {
        str(attribute["taxonomy_term"].get("id")): attribute["taxonomy_term"]
        for row in rows
        if isinstance(row.data, dict)
        for attribute in row.data.get("attributes") or []
        if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict)
    }
    found, wanted = [], [t.get("parent_id") for t in terms.values()]
    while wanted and len(found) < 1000:
        parent_id = wanted.pop()
        if not isinstance(parent_id, str) or parent_id in terms:
            continue
        try:
            term = _parse_json(
                fetch(f"{base}/taxonomy_terms/{urllib.parse.quote(parent_id)}"), parent_id
            )
        except ImportFailed:
            terms[parent_id] = None
            continue
        terms[parent_id] = term
        if (
            isinstance(term, dict)
            and str(term.get("id")) == parent_id
            and not schema_problems(
                term,
                _service_schema()["properties"]["attributes"]["items"]["properties"][
                    "taxonomy_term"
                ],
            )
        ):
            found.append(term)
            wanted.append(term.get("parent_id"))
    return found


def read_file(data: bytes, name: str = "") -> tuple[list[Row], int]:
    """One page of a feed, a JSON list of services, or one service, from a file."""
    content = _parse_json(data, name or _("The file"))
    if isinstance(content, list):
        return [Row(None, position, item) for position, item in enumerate(content, 1)], 0
    if isinstance(content, dict) and "contents" in content:
        number = content.get("page_number") if isinstance(content.get("page_number"), int) else 1
        items = _contents(content, name or _("The file"))
        return [Row(number, position, item) for position, item in enumerate(items, 1)], 1
    if isinstance(content, dict) and "id" in content:
        return [Row(None, 1, content)], 0
    raise ImportFailed(
        [
            _("%(name)s is neither a page of services, a list of services nor one service.")
            % {"name": name or _("The file")}
        ]
    )
