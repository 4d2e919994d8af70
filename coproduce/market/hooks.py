"""What the market tells the apps above it, and what it asks them (they connect in ``ready``)."""

from collections.abc import Callable

from coproduce.lib.hooks import Hook

# A request was just posted (in the posting transaction): ``notifications`` tells likely helpers.
request_posted: Hook = Hook("market.request_posted")

# Who must never be suggested to a person: each provider maps a user id to the user ids on the
# other side of a block with them (``conversations`` keeps the blocks).
_excluded_people: list[Callable[[int], set[int]]] = []


def exclude_people(provider: Callable[[int], set[int]]) -> None:
    if provider not in _excluded_people:
        _excluded_people.append(provider)


def excluded_people(user_id: int) -> set[int]:
    return set().union(*(provider(user_id) for provider in _excluded_people))


# Who talked with a post's author about it (``conversations``): the people a post can be marked
# done with. Each provider maps a post to user ids.
_post_contacts: list[Callable[[object], set[int]]] = []


def add_post_contacts(provider: Callable[[object], set[int]]) -> None:
    if provider not in _post_contacts:
        _post_contacts.append(provider)


def post_contacts(post) -> set[int]:
    return set().union(*(provider(post) for provider in _post_contacts))
