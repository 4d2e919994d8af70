"""Figures kept in the cache under a signature of everything they depend on (issue 19).

The signature holds the moments the inputs last changed (a community's latest posting, when its
people last changed...), read fresh at every call; a change gives a new key, so a kept figure is
never a stale one, in any worker, and nothing has to be deleted."""

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
KEPT_SECONDS = 24 * 60 * 60


def key_for(kind: str, signature: Iterable) -> str:
    return f"{kind}:" + hashlib.sha256("|".join(str(part) for part in signature).encode()).hexdigest()


def kept(kind: str, signature: Iterable, work_out: Callable[[], T], *, seconds: int = KEPT_SECONDS) -> T:
    """``work_out()``, or what it gave last time under the same signature."""
    key = key_for(kind, signature)
    found = cache.get(key)
    if found is None:
        found = work_out()
        cache.set(key, found, seconds)
    return found
