import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from coproduce.members.models import Membership
from coproduce.members.permissions import require_coordinator, require_member
from coproduce.members.views import add_form_errors
from coproduce.outcomes import services
from coproduce.outcomes.forms import SCALE_CHOICES, PaperEntryForm, WellbeingForm
from coproduce.outcomes.models import (
    LONELINESS_QUESTION,
    ONS4_INTRODUCTION,
    WELLBEING_QUESTIONS,
    Loneliness,
)
from coproduce.outcomes.reports import distribution_chart, wellbeing_report


@login_required
def wellbeing(request, slug):
    """A member answers the wellbeing questions for themselves."""
    access = require_member(request, slug)
    membership = access.membership
    form = WellbeingForm(request.POST or None)
    if request.method == "POST" and membership is not None and form.is_valid():
        try:
            services.record_wellbeing(membership, actor=request.user, answers=form.answers())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your answers are saved."))
            return redirect("outcomes:wellbeing", slug=slug)
    context = {"access": access, "community": access.community, "form": form, "membership": membership,
               "introduction": ONS4_INTRODUCTION}
    if membership is not None:
        context |= {"due": services.survey_due(membership), "next_date": services.next_survey_date(membership),
                    "history": membership.wellbeing_responses.order_by("-answered_on", "-id")[:12]}
    return render(request, "outcomes/wellbeing.html", context)


@login_required
def paper_form(request, slug):
    """The questions laid out for printing, for members who prefer paper."""
    access = require_member(request, slug)
    return render(request, "outcomes/paper_form.html", {
        "access": access, "community": access.community, "introduction": ONS4_INTRODUCTION,
        "questions": WELLBEING_QUESTIONS, "scale": [value for value, _label in SCALE_CHOICES],
        "loneliness_question": LONELINESS_QUESTION, "loneliness_choices": Loneliness.choices,
    })


@login_required
def enter_paper_form(request, slug):
    access = require_coordinator(request, slug)
    form = PaperEntryForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.record_wellbeing(member, actor=request.user, answers=form.answers(),
                                      answered_on=form.cleaned_data["answered_on"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Saved the answers of %(name)s.") % {"name": member.user.name})
            return redirect("outcomes:enter", slug=slug)
    due = services.memberships_due(Membership.objects.filter(community=access.community))
    return render(request, "outcomes/enter.html", {"access": access, "community": access.community, "form": form,
                                                   "due": due})


def _community_report(access):
    return wellbeing_report(Membership.objects.filter(community=access.community))


@login_required
def report(request, slug):
    access = require_coordinator(request, slug)
    items = []
    for index, item in enumerate(_community_report(access)):
        chart, table = distribution_chart(item, index)
        items.append({"report": item, "chart": mark_safe(chart), "table": table})  # escaped by bar_chart
    return render(request, "outcomes/report.html", {"access": access, "community": access.community, "items": items})


@login_required
def report_csv(request, slug):
    access = require_coordinator(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wellbeing-{access.community.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["question", "answer", "people (latest answer)"])
    for item in _community_report(access):
        for label, count in item.distribution:
            writer.writerow([item.question, label, count])
    writer.writerow([])
    writer.writerow(["question", "people answering", "mean latest", "people answering twice or more",
                     "mean change (latest - first)", "share improved"])
    for item in _community_report(access):
        writer.writerow([item.question, item.answered, _fmt(item.mean_latest), item.people_with_change,
                         _fmt(item.mean_change), _fmt(item.share_improved)])
    return response


def _fmt(value):
    return "" if value is None else f"{value:.3f}"
