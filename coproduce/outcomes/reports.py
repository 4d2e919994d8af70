"""Outcome reports: distributions and change from first to latest answers.

Each report takes a queryset of memberships, so a community, a group (later) or any
other set of people is reported the same way: `wellbeing_report(memberships)`.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from coproduce.outcomes.models import (
    LONELINESS_QUESTION,
    LONELINESS_SCORE,
    WELLBEING_QUESTIONS,
    Loneliness,
    WellbeingResponse,
)

# Lower is better for anxiety and loneliness; higher is better for the other three.
LOWER_IS_BETTER = {"anxiety", "loneliness"}


@dataclass(frozen=True)
class QuestionReport:
    field: str
    question: str
    distribution: list[tuple[str, int]]  # (answer label, people whose latest answer it is)
    answered: int  # people with a latest answer
    mean_latest: float | None
    people_with_change: int  # people who answered at least twice
    mean_change: float | None  # latest − first, averaged over those people
    share_improved: float | None  # of those people, the share whose answer got better


def _change(field, values):
    first, latest = values[0], values[-1]
    if field == "loneliness":
        first, latest = LONELINESS_SCORE[first], LONELINESS_SCORE[latest]
    return latest - first


def wellbeing_report(memberships) -> list[QuestionReport]:
    """For the given memberships: each question's latest-answer distribution and first→latest change."""
    fields = [name for name, _question in WELLBEING_QUESTIONS] + ["loneliness"]
    answers: dict[str, dict[int, list]] = {field: defaultdict(list) for field in fields}
    rows = (WellbeingResponse.objects.filter(membership__in=memberships)
            .order_by("membership_id", "answered_on", "id")
            .values_list("membership_id", *fields))
    for membership_id, *values in rows:
        for field, value in zip(fields, values, strict=True):
            if value is not None and value != "":
                answers[field][membership_id].append(value)
    questions = dict(WELLBEING_QUESTIONS) | {"loneliness": LONELINESS_QUESTION}
    reports = []
    for field in fields:
        per_person = answers[field]
        latest = Counter(values[-1] for values in per_person.values())
        if field == "loneliness":
            distribution = [(str(label), latest.get(value, 0)) for value, label in Loneliness.choices]
            mean_latest = None
        else:
            distribution = [(str(score), latest.get(score, 0)) for score in range(11)]
            total = sum(latest.values())
            mean_latest = sum(score * count for score, count in latest.items()) / total if total else None
        changes = [_change(field, values) for values in per_person.values() if len(values) >= 2]
        sign = -1 if field in LOWER_IS_BETTER else 1
        reports.append(QuestionReport(
            field=field,
            question=str(questions[field]),
            distribution=distribution,
            answered=len(per_person),
            mean_latest=mean_latest,
            people_with_change=len(changes),
            mean_change=sum(changes) / len(changes) if changes else None,
            share_improved=sum(1 for c in changes if sign * c > 0) / len(changes) if changes else None,
        ))
    return reports


def distribution_chart(item: QuestionReport, index: int) -> tuple[str, dict]:
    """(SVG bar chart, its data table) of one question's latest answers."""
    from django.utils.translation import gettext as _

    from coproduce.lib.charts import bar_chart

    caption = _("%(question)s: people by latest answer") % {"question": item.question}
    chart = bar_chart([label for label, _count in item.distribution], [count for _label, count in item.distribution],
                      title=caption, chart_id=f"wellbeing-{index}", y_label=_("people"),
                      desc=_("Bar chart; the same figures are in the table below."))
    return chart, {"caption": caption, "headers": [_("Answer"), _("People")], "rows": item.distribution}
