"""The members' gifts layer of the asset map: what members offer (their skills, by the
community's top-level categories), area by area, in aggregate.

Each cell is how many active members of an area offer help in a category, protected like every
public count (``lib.disclosure.protect_count``: below the community's k it is hidden, or rounded
to 5 under the rounding rule). No totals are shown beside the cells, so no hidden cell can be
worked out by subtraction; a member offering two skills in one category counts once there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F
from django.db.models.functions import Coalesce

from coproduce.communities.models import Area, Category
from coproduce.lib.disclosure import Cell, protect_count
from coproduce.lib.translated import in_language
from coproduce.members.models import Membership, MembershipStatus


@dataclass
class AreaGifts:
    area: Area
    cells: list[tuple[str, Cell]]  # (category name, protected count), largest first, hidden last


def gifts_by_area(community) -> list[AreaGifts]:
    """Per area of the community: each top-level category's count of members offering it. One
    query for the counts, one for the names."""
    Skill = Membership.skills.through
    rows = (Skill.objects
            .filter(membership__community=community, membership__status=MembershipStatus.ACTIVE,
                    membership__area__isnull=False)
            .annotate(top=Coalesce(F("category__parent_id"), F("category_id")))
            .values("membership__area_id", "top")
            .annotate(n=Count("membership_id", distinct=True)))
    areas = {a.pk: a for a in Area.objects.filter(community=community)}
    names = {pk: in_language(name, texts) for pk, name, texts in Category.objects.filter(
        community=community, parent__isnull=True).values_list("pk", "name", "translations")}
    by_area: dict[int, list[tuple[str, Cell]]] = {}
    for row in rows:
        cell = protect_count(row["n"], community.small_count_k, community.small_count_rule)
        by_area.setdefault(row["membership__area_id"], []).append((names.get(row["top"], "?"), cell))
    result = []
    for area_id, cells in by_area.items():
        cells.sort(key=lambda pair: (pair[1].value is None, -(pair[1].value or 0), pair[0]))
        result.append(AreaGifts(areas[area_id], cells))
    return sorted(result, key=lambda gifts: gifts.area.name)
