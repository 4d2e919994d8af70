"""How many active members a community has, counted once per change of its memberships.

Counting 100,000 memberships took 30–40 ms, and the coordinators' pages, the community page and
the list of time banks each did it on every request (issue 19). A count is kept in the cache under
a signature that holds the time the community's people last changed (``PeopleChanged``, written
in the same transaction as the membership), so a join, a departure or a new role is counted at
once, in every worker, and nothing is kept that could be wrong.
"""

from django.core.cache import cache

from coproduce.lib.kept import KEPT_SECONDS, kept, key_for
from coproduce.members.models import Membership, PeopleChanged


def touch(community_id: int) -> None:
    """Note that the community's people changed now (an upsert: one query, any database)."""
    PeopleChanged.note(community_id)


def membership_changed(sender, instance, **kwargs) -> None:
    """post_save and post_delete of a membership, whoever made it (services, admin, imports)."""
    touch(instance.community_id)


def changed_at(community):
    """When the community's people last changed (None: not since this was first kept)."""
    return PeopleChanged.objects.filter(community=community).values_list("changed_at", flat=True).first()


def active_members(community, *, role: str | None = None) -> int:
    """Active memberships of the community (of ``role`` only, when given)."""

    def count() -> int:
        counted = Membership.objects.active().filter(community=community)
        return (counted.filter(role=role) if role else counted).count()

    return kept("active-members", (community.pk, changed_at(community), role or ""), count)


def active_members_of(communities) -> dict[int, int]:
    """Active memberships of each community: two queries, and a third for those not kept."""
    from django.db.models import Count

    ids = [community.pk for community in communities]
    changed = dict(PeopleChanged.objects.filter(community_id__in=ids).values_list("community_id", "changed_at"))
    keys = {pk: key_for("active-members", (pk, changed.get(pk), "")) for pk in ids}
    kept = cache.get_many(list(keys.values()))
    counts = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [pk for pk in ids if pk not in counts]
    if missing:
        counted = dict(Membership.objects.active().filter(community_id__in=missing).values_list("community_id")
                       .annotate(n=Count("pk")).values_list("community_id", "n"))
        fresh = {pk: counted.get(pk, 0) for pk in missing}
        cache.set_many({keys[pk]: n for pk, n in fresh.items()}, KEPT_SECONDS)
        counts.update(fresh)
    return counts
