"""An organisation's money trail (its staff and the community's coordinators), and the
community's figure across organisations (coordinators)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from coproduce.lib.charts import bar_chart
from coproduce.localmoney import figures, services
from coproduce.localmoney.forms import LineFormSet, SurveyForm, pence
from coproduce.localmoney.models import Survey
from coproduce.members.views import add_form_errors
from coproduce.partners.permissions import require_manager, require_partner_viewer

MORE_ROWS = 5


def _pounds(p: int) -> Decimal:
    return Decimal(p) / 100


@login_required
def survey_list(request, slug, pk):
    partner, organisation = require_manager(request, slug, pk)
    surveys = [(survey, figures.of_survey(survey))
               for survey in Survey.objects.filter(organisation=organisation).prefetch_related("lines")]
    return render(request, "localmoney/list.html", partner.context(
        organisation=organisation, surveys=surveys, source=figures.METHOD_SOURCE))


def _forms(request, survey):
    if request.method == "POST":
        form = SurveyForm(request.POST)
        lines = LineFormSet(request.POST, prefix="lines")
        return form, lines
    if survey is None:
        return SurveyForm(), LineFormSet(prefix="lines", initial=[{}] * MORE_ROWS)
    form = SurveyForm(initial={"starts_on": survey.starts_on, "ends_on": survey.ends_on,
                               "income": _pounds(survey.income_pence), "notes": survey.notes})
    rows = [{"name": line.name, "kind": line.kind, "amount": _pounds(line.amount_pence), "local": line.local,
             "respent": line.respent_locally_percent} for line in survey.lines.all()]
    return form, LineFormSet(prefix="lines", initial=rows + [{}] * MORE_ROWS)


def _more_rows(request):
    """The rows as posted, and MORE_ROWS empty ones (no JavaScript needed to add rows)."""
    posted = LineFormSet(request.POST, prefix="lines")
    rows = [form.cleaned_data if form.is_valid() else {} for form in posted.forms]
    rows = [{key: value for key, value in row.items() if value not in (None, "")} for row in rows]
    return LineFormSet(prefix="lines", initial=(rows + [{}] * MORE_ROWS)[:200])


@login_required
def survey_edit(request, slug, pk, survey_pk=None):
    partner, organisation = require_manager(request, slug, pk)
    survey = get_object_or_404(Survey, pk=survey_pk, organisation=organisation) if survey_pk else None
    if request.method == "POST" and "more" in request.POST:
        return render(request, "localmoney/form.html", partner.context(
            organisation=organisation, form=SurveyForm(initial=request.POST.dict()), lines=_more_rows(request),
            survey=survey))
    form, lines = _forms(request, survey)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            saved = services.save_survey(
                organisation, actor=request.user, survey=survey, starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"], income_pence=pence(form.cleaned_data["income"]),
                notes=form.cleaned_data["notes"], lines=[line for f in lines.forms if (line := f.line())])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Saved. Here is your LM3."))
            return redirect("localmoney:detail", slug, pk, saved.pk)
    return render(request, "localmoney/form.html", partner.context(
        organisation=organisation, form=form, lines=lines, survey=survey), status=400 if form.is_bound else 200)


@login_required
def survey_detail(request, slug, pk, survey_pk):
    partner, organisation = require_manager(request, slug, pk)
    survey = get_object_or_404(Survey.objects.prefetch_related("lines"), pk=survey_pk, organisation=organisation)
    trail = figures.of_survey(survey)
    leaks = trail.leaks[:8]
    chart = mark_safe(bar_chart(  # escaped by bar_chart
        [name for name, _amount in leaks], [float(_pounds(amount)) for _name, amount in leaks],
        title=_("Where money leaves the area"), y_label="£", chart_id="lm3-leaks",
        desc=_("Spending outside the area, largest first; the table below has every line."))) if leaks else ""
    return render(request, "localmoney/detail.html", partner.context(
        organisation=organisation, survey=survey, trail=trail, chart=chart, source=figures.METHOD_SOURCE,
        rounds=[(_("Round 1: income"), trail.r1), (_("Round 2: spent in the area"), trail.r2),
                (_("Round 3: re-spent in the area by those paid locally"), trail.r3)]))


@login_required
def community_figure(request, slug):
    partner = require_partner_viewer(request, slug)
    if not partner.is_coordinator:
        raise PermissionDenied(_("Only coordinators see the community's local economy figures."))
    result = figures.across_organisations(partner.community)
    return render(request, "localmoney/community.html", partner.context(
        result=result, source=figures.METHOD_SOURCE, k=partner.community.small_count_k))
