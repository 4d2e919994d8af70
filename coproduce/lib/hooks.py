"""A small typed registry, for a lower app to tell higher apps what happened without importing them.

The lower app declares ``something_happened = Hook[Post]("...")`` and calls
``something_happened.send(post)``; a higher app connects a function in its ``AppConfig.ready``.
Observers run in order, in the caller's transaction; one that raises raises in the caller.
(The ledger has a richer set of its own, with after-commit observers: ``coproduce.ledger.hooks``.)
"""

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Hook(Generic[T]):
    def __init__(self, name: str):
        self.name = name
        self._observers: list[Callable[[T], None]] = []

    def connect(self, observer: Callable[[T], None]) -> Callable[[T], None]:
        if observer not in self._observers:  # ready() may run more than once in tests
            self._observers.append(observer)
        return observer

    def send(self, value: T) -> None:
        for observer in self._observers:
            observer(value)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._observers)} observer(s)>"
