"""The co-production self-assessment (product brief, "Co-production self-assessment").

NEF's six principles × three levels, each cell scored 1–5 with a short evidence note,
taken repeatedly over time; and each activity placed on the ladder of co-production
(Think Local Act Personal with the National Co-production Advisory Group, after Arnstein).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.insights.models import (
    AssessmentScore,
    LadderPlacement,
    LadderRung,
    Level,
    Principle,
    SelfAssessment,
)

# Guidance shown beside each principle: a plain-English prompt in our words, then what
# Coproduce does for it (the product brief's table), so people score against evidence.
GUIDANCE = {
    Principle.ASSETS: gettext_lazy(
        "Do we treat the people we work with as equal partners with something to offer, not as passive "
        "recipients? In Coproduce: profiles start with what someone can offer; no one is only a recipient."),
    Principle.CAPACITY: gettext_lazy(
        "Do we start from what people can already do and help that grow, rather than from their needs? "
        "In Coproduce: skills and lived experience are recorded and matched; members lead groups."),
    Principle.MUTUALITY: gettext_lazy(
        "Do people both give and receive, with obligations and rewards on both sides? In Coproduce: every "
        "hour is equal and giving and receiving both count."),
    Principle.NETWORKS: gettext_lazy(
        "Do we help people build peer and personal networks alongside professionals? In Coproduce: "
        "peer-support groups, and the exchange network measured."),
    Principle.BLURRED_ROLES: gettext_lazy(
        "Do we blur the line between professionals and the people they serve, and between those who "
        "provide and those who use a service? In Coproduce: professionals give and receive like members."),
    Principle.CATALYSTS: gettext_lazy(
        "Do we act as catalysts who help things happen, rather than only delivering services? In "
        "Coproduce: partners post opportunities and refer; brokers connect."),
}
SHORT_NAMES = {
    Principle.ASSETS: gettext_lazy("Assets"),
    Principle.CAPACITY: gettext_lazy("Capabilities"),
    Principle.MUTUALITY: gettext_lazy("Mutuality"),
    Principle.NETWORKS: gettext_lazy("Networks"),
    Principle.BLURRED_ROLES: gettext_lazy("Blurred roles"),
    Principle.CATALYSTS: gettext_lazy("Facilitating"),
}
SCORE_MEANINGS = gettext_lazy("1 = not at all, 2 = a little, 3 = partly, 4 = mostly, 5 = fully and consistently.")
LADDER_CREDIT = gettext_lazy(
    "Ladder of co-production: Think Local Act Personal (TLAP) with the National Co-production Advisory "
    "Group (NCAG), after Arnstein's ladder of participation. Coercion and educating are “doing to”; "
    "informing, consultation and engagement are “doing for”; co-design and co-production are “doing with”.")
LADDER_STAGE = {
    LadderRung.COERCION: gettext_lazy("doing to"), LadderRung.EDUCATING: gettext_lazy("doing to"),
    LadderRung.INFORMING: gettext_lazy("doing for"), LadderRung.CONSULTATION: gettext_lazy("doing for"),
    LadderRung.ENGAGEMENT: gettext_lazy("doing for"), LadderRung.CO_DESIGN: gettext_lazy("doing with"),
    LadderRung.CO_PRODUCTION: gettext_lazy("doing with"),
}
CELLS = [(principle, level) for principle in Principle.values for level in Level.values]


@dataclass(frozen=True)
class Cell:
    score: int
    evidence: str = ""


def record_self_assessment(organisation, *, actor, cells: dict[tuple[str, str], Cell],
                           ladder: list[tuple[str, str]] = (), assessed_on: datetime.date | None = None
                           ) -> SelfAssessment:
    """Store one complete 6 × 3 self-assessment; refuse (writing nothing) if a cell is missing or out of range."""
    assessed_on = assessed_on or timezone.localdate()
    errors = []
    if set(cells) != set(CELLS):
        errors.append(_("Every principle needs a score at every level."))
    for cell in cells.values():
        if not isinstance(cell.score, int) or isinstance(cell.score, bool) or not 1 <= cell.score <= 5:
            errors.append(_("Scores run from 1 to 5."))
            break
        if len(cell.evidence) > 500:
            errors.append(_("Keep each evidence note under 500 characters."))
            break
    for activity, rung in ladder:
        if not activity.strip() or rung not in LadderRung.values:
            errors.append(_("Each activity on the ladder needs a name and a rung."))
            break
    if assessed_on > timezone.localdate():
        errors.append(_("The date can't be in the future."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment = SelfAssessment.objects.create(organisation=organisation, assessed_on=assessed_on,
                                                   created_by=actor)
        AssessmentScore.objects.bulk_create([
            AssessmentScore(assessment=assessment, principle=principle, level=level, score=cell.score,
                            evidence=cell.evidence.strip())
            for (principle, level), cell in cells.items()
        ])
        LadderPlacement.objects.bulk_create([
            LadderPlacement(assessment=assessment, activity=activity.strip()[:150], rung=rung)
            for activity, rung in ladder
        ])
        record_audit(actor=actor, community=organisation.community, action=AuditAction.SELF_ASSESSMENT_RECORDED,
                     subject=organisation.name, assessment=assessment.pk)
    return assessment


def score_grid(assessment: SelfAssessment) -> dict[str, dict[str, AssessmentScore]]:
    """{principle: {level: score}} for one assessment."""
    grid: dict[str, dict[str, AssessmentScore]] = {p: {} for p in Principle.values}
    for score in assessment.scores.all():
        grid[score.principle][score.level] = score
    return grid


def principle_means(assessment: SelfAssessment) -> list[float | None]:
    """Mean score across the three levels for each principle, in Principle order (for the radar)."""
    grid = score_grid(assessment)
    means = []
    for principle in Principle.values:
        values = [s.score for s in grid[principle].values()]
        means.append(round(sum(values) / len(values), 2) if values else None)
    return means


@dataclass(frozen=True)
class LatestAssessment:
    organisation: object  # partners.Organisation
    assessment: SelfAssessment | None
    means: list[float | None] | None


def latest_assessments(community) -> list[LatestAssessment]:
    """Every partner organisation of the community with its latest self-assessment; two queries."""
    from django.db.models import OuterRef, Subquery

    from coproduce.partners.models import Organisation

    latest_ids = (SelfAssessment.objects.filter(organisation=OuterRef("pk"))
                  .order_by("-assessed_on", "-id").values("id")[:1])
    organisations = list(Organisation.objects.filter(community=community).order_by("name")
                         .annotate(latest_id=Subquery(latest_ids)))
    latest = {a.pk: a for a in SelfAssessment.objects.filter(
        id__in=[o.latest_id for o in organisations if o.latest_id]).prefetch_related("scores")}
    return [LatestAssessment(o, latest.get(o.latest_id),
                             principle_means(latest[o.latest_id]) if o.latest_id else None)
            for o in organisations]


def overview_table(rows: list[LatestAssessment], *, assessed_only: bool = False) -> dict:
    """Each partner's latest date and mean score per principle, as a figure table (page, CSV, report)."""
    from coproduce.insights.tables import table

    lines = []
    for row in rows:
        if row.assessment is None:
            if not assessed_only:
                lines.append([row.organisation.name, _("Not assessed yet")] + [""] * len(Principle.values))
            continue
        lines.append([row.organisation.name, row.assessment.assessed_on.isoformat()]
                     + ["–" if mean is None else mean for mean in row.means])
    return table("latest-scores", _("Latest scores by partner"),
                 [_("Organisation"), _("Date"), *[str(SHORT_NAMES[p]) for p in Principle.values]], lines)
