"""Sending a signed request to a linked bank and reading its JSON answer (standard library
HTTP: one short request per message, no connection kept between them)."""

import json
import urllib.error
import urllib.request
from typing import NamedTuple
from urllib.parse import urlsplit

from coproduce.federation import keys

TIMEOUT = 5  # seconds: a slow bank is treated as down, and the crossing retried later


class Unreachable(Exception):
    """The other bank did not answer (down, slow, or a server error): try again later."""


class Answer(NamedTuple):
    status: int
    data: dict


def _http(url: str, method: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body if method != "GET" else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:  # refused, reset, timed out
        raise Unreachable(str(error)) from error


def send(link, method: str, path: str, payload: dict | None = None) -> Answer:
    """``path`` is under the other bank's federation address for its community, e.g. "/crossings"."""
    node = link.community.node
    base = link.peer_url.rstrip("/")
    full_path = urlsplit(base).path + f"/federation/v1/{link.peer_slug}{path}"
    body = b"" if payload is None else json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               **keys.sign(node.private_key, node.public_key, method, full_path, body,
                           recipient=link.peer_public_key)}
    status, raw = _http(base + full_path[len(urlsplit(base).path):], method, body, headers)
    if status >= 500:
        raise Unreachable(f"HTTP {status}")
    try:
        data = json.loads(raw or b"{}")
    except ValueError as error:
        raise Unreachable(f"HTTP {status}: not JSON") from error
    return Answer(status, data if isinstance(data, dict) else {"data": data})
