from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.communities.activities import Activity
from coproduce.insights.assessment import (
    LADDER_CREDIT,
    LADDER_STAGE,
    SCORE_MEANINGS,
    SHORT_NAMES,
    latest_assessments,
    overview_table,
    principle_means,
    record_self_assessment,
    score_grid,
)
from coproduce.insights.forms import (
    CategoryActivitiesForm,
    IndicatorUploadForm,
    RateSetChoiceForm,
    SelfAssessmentForm,
)
from coproduce.insights.indicators import IndicatorImportError, import_indicators
from coproduce.insights.models import AreaIndicator, LadderRung, Level, Principle, SelfAssessment
from coproduce.insights.permissions import require_may_assess
from coproduce.insights.tables import respond as _respond
from coproduce.insights.tables import table as _table
from coproduce.insights.valuation import (
    category_mapping,
    choose_rate_set,
    map_categories,
    rate_set_for,
)
from coproduce.lib.charts import Series, radar_chart
from coproduce.members.permissions import require_coordinator
from coproduce.members.views import add_form_errors


@login_required
def indicators(request, slug):
    """Coordinators: the area indicators imported so far, and a form to import more."""
    access = require_coordinator(request, slug)
    community = access.community
    form = IndicatorUploadForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            count = import_indicators(community, form.cleaned_data["file"].read(), actor=request.user)
        except IndicatorImportError as error:
            row_errors = error.errors
            form.add_error("file", _("Nothing was imported: please correct the rows listed and upload again."))
        else:
            messages.success(request, _("Imported %(count)s figure(s).") % {"count": count})
            return redirect("insights:indicators", slug=slug)
    figures = AreaIndicator.objects.filter(community=community).select_related("area")
    return render(request, "insights/indicators.html", {
        "access": access, "community": community, "form": form, "row_errors": row_errors, "figures": figures,
    })


def _radar(organisation, assessments, chart_id="radar"):
    """Radar of the latest assessment against the one before, with its data table."""
    shown = list(assessments[:2])
    if not shown:
        return None, None
    axes = [str(SHORT_NAMES[p]) for p in Principle.values]
    series = [Series(a.assessed_on.isoformat(), principle_means(a)) for a in shown]
    title = _("%(organisation)s: co-production self-assessment") % {"organisation": organisation.name}
    chart = mark_safe(radar_chart(axes, series, title=title, chart_id=chart_id,  # charts escape every string
                                  desc=_("Mean score (1 to 5) across the three levels for each of the six "
                                         "principles. The same figures are in the table below.")))
    rows = [[str(label)] + [_mean(s.values[i]) for s in series] for i, label in enumerate(Principle.labels)]
    return chart, _table("latest-scores", title, [_("Principle")] + [s.name for s in series], rows)


def _mean(value):
    return "–" if value is None else value


@login_required
def assessments(request, slug, organisation_pk):
    """An organisation's self-assessments over time, latest first, with a radar chart."""
    access, organisation = require_may_assess(request, slug, organisation_pk)
    history = list(SelfAssessment.objects.filter(organisation=organisation).prefetch_related("scores", "ladder"))
    chart, table = _radar(organisation, history)
    rows = [{"assessment": a, "means": principle_means(a)} for a in history]
    history_table = _table("history", _("Mean score for each principle (1 to 5), per assessment"),
                           [_("Date")] + [str(label) for label in Principle.labels],
                           [[row["assessment"].assessed_on.isoformat()] + [_mean(m) for m in row["means"]]
                            for row in rows])
    return _respond(request, "insights/assessments.html", {
        "access": access, "community": access.community, "organisation": organisation, "rows": rows,
        "chart": chart, "table": table, "history_table": history_table, "principles": Principle.choices,
        "short_names": SHORT_NAMES,
    }, [table, history_table] if table else [history_table])


@login_required
def assessment_detail(request, slug, organisation_pk, pk):
    access, organisation = require_may_assess(request, slug, organisation_pk)
    assessment = get_object_or_404(SelfAssessment.objects.prefetch_related("scores", "ladder"),
                                   pk=pk, organisation=organisation)
    grid = score_grid(assessment)
    rows = [{"principle": label, "cells": [grid[principle].get(level) for level in Level.values]}
            for principle, label in Principle.choices]
    ladder = [{"activity": p.activity, "rung": p.get_rung_display(), "stage": LADDER_STAGE[p.rung]}
              for p in assessment.ladder.all()]
    return render(request, "insights/assessment_detail.html", {
        "access": access, "community": access.community, "organisation": organisation, "assessment": assessment,
        "rows": rows, "levels": Level.labels, "ladder": ladder, "ladder_credit": LADDER_CREDIT,
    })


@login_required
def new_assessment(request, slug, organisation_pk):
    access, organisation = require_may_assess(request, slug, organisation_pk)
    form = SelfAssessmentForm(request.POST or None, initial={"assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = record_self_assessment(organisation, actor=request.user, **form.service_arguments())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Self-assessment saved."))
            return redirect("insights:assessment", slug=slug, organisation_pk=organisation.pk, pk=assessment.pk)
    return render(request, "insights/assessment_form.html", {
        "access": access, "community": access.community, "organisation": organisation, "form": form,
        "score_meanings": SCORE_MEANINGS, "ladder_credit": LADDER_CREDIT, "rungs": LadderRung.choices,
    })


@login_required
def partners_overview(request, slug):
    """Coordinators: every partner organisation's latest self-assessment, one row each."""
    access = require_coordinator(request, slug)
    rows = latest_assessments(access.community)
    short_names = [str(SHORT_NAMES[p]) for p in Principle.values]
    scores = overview_table(rows)
    return _respond(request, "insights/partners_overview.html", {
        "access": access, "community": access.community, "rows": rows, "short_names": short_names,
        "scores": scores,
    }, [scores])


@login_required
def valuation_rates(request, slug):
    """Coordinators: which replacement-cost rates this community uses, with their sources; choose a set."""
    access = require_coordinator(request, slug)
    current = rate_set_for(access.community)
    form = RateSetChoiceForm(request.POST or None, initial={"rate_set": current})
    if request.method == "POST" and form.is_valid():
        choose_rate_set(access.community, form.cleaned_data["rate_set"], actor=request.user)
        messages.success(request, _("Rate set chosen."))
        return redirect("insights:valuation_rates", slug=slug)
    rates = current.rates_by_activity() if current else {}
    rows = [{"activity": label, "rate": rates.get(value)} for value, label in Activity.choices]
    return render(request, "insights/valuation_rates.html", {
        "access": access, "community": access.community, "form": form, "current": current, "rows": rows,
        "mapping": category_mapping(access.community),
    })


@login_required
def category_activities(request, slug):
    """Coordinators: which valuation activity each category counts as (the only place outside the
    valuation pages' tables where activities are named, issue 13 point 6)."""
    access = require_coordinator(request, slug)
    form = CategoryActivitiesForm(request.POST or None, mapping=category_mapping(access.community))
    if request.method == "POST" and form.is_valid():
        try:
            changed = map_categories(access.community, form.activities(), actor=request.user)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, ngettext("Saved: %(count)s category changed.",
                                               "Saved: %(count)s categories changed.", changed) % {"count": changed})
            return redirect("insights:valuation_rates", slug=slug)
    return render(request, "insights/category_activities.html", {
        "access": access, "community": access.community, "form": form,
    }, status=400 if form.errors else 200)
