"""LM3 worked out from a survey, and the community's figure across organisations.

The method, as NEF's "The Money Trail" (2002) sets it out: round 1 is the income; round 2 is the
part of it spent in the area (local suppliers, wages of staff who live here); round 3 is what
those local suppliers and staff spend in the area in turn (each local line times the share they
re-spend locally, from the survey). LM3 = (R1 + R2 + R3) / R1. A local line whose re-spending was
not surveyed adds nothing to round 3 (the figure errs low, never high) and is counted as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from coproduce.localmoney.models import Spend, Survey

METHOD_SOURCE = ("New Economics Foundation, \u201cThe Money Trail: measuring your impact on the local "
                 "economy using LM3\u201d (2002)")


@dataclass(frozen=True)
class Trail:
    r1: int
    r2: int
    r3: int
    unsurveyed: int  # local lines without a surveyed re-spending share
    leaks: list[tuple[str, int]]  # (where, pence) of spending outside the area, largest first

    @property
    def lm3(self) -> float:
        return (self.r1 + self.r2 + self.r3) / self.r1

    @property
    def leaked(self) -> int:
        return sum(amount for _name, amount in self.leaks)


def trail(income_pence: int, lines: list[Spend]) -> Trail:
    """The three rounds from an income and its spending lines (pence; round 3 rounded down)."""
    r2 = sum(line.amount_pence for line in lines if line.local)
    r3 = sum(line.amount_pence * line.respent_locally_percent // 100
             for line in lines if line.local and line.respent_locally_percent is not None)
    unsurveyed = sum(1 for line in lines if line.local and line.respent_locally_percent is None)
    leaks = sorted(((line.name, line.amount_pence) for line in lines if not line.local),
                   key=lambda pair: (-pair[1], pair[0]))
    return Trail(income_pence, r2, r3, unsurveyed, leaks)


def of_survey(survey: Survey) -> Trail:
    return trail(survey.income_pence, list(survey.lines.all()))


@dataclass(frozen=True)
class CommunityTrail:
    organisations: int
    trail: Trail | None  # None when fewer organisations than the community's k took part


def across_organisations(community) -> CommunityTrail:
    """Each organisation's latest survey, added together (sum of rounds over sum of incomes, so a
    big employer weighs as much as its money does). Withheld below the community's small-count k:
    with fewer organisations, the total would tell one organisation's accounts."""
    latest: dict[int, Survey] = {}
    for survey in (Survey.objects.filter(organisation__community=community)
                   .prefetch_related("lines").order_by("organisation_id", "-ends_on", "-pk")):
        latest.setdefault(survey.organisation_id, survey)
    n = len(latest)
    if n < community.small_count_k:  # withheld whatever the rounding rule: these are accounts
        return CommunityTrail(n, None)
    trails = [of_survey(survey) for survey in latest.values()]
    return CommunityTrail(n, Trail(
        r1=sum(t.r1 for t in trails), r2=sum(t.r2 for t in trails), r3=sum(t.r3 for t in trails),
        unsurveyed=sum(t.unsurveyed for t in trails), leaks=[]))
