from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.groups.models import Group, GroupMember
from coproduce.lib import csv_safe
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


class ReportScopeForm(forms.Form):
    group = forms.ModelChoiceField(label=gettext_lazy("Whose answers"), queryset=Group.objects.none(), required=False,
                                   empty_label=gettext_lazy("Everyone in the community"))

    def __init__(self, data, *, community):
        super().__init__(data if data and "group" in data else None)
        self.fields["group"].queryset = Group.objects.filter(community=community).order_by("name")


def _scoped_report(request, access):
    """(form, group or None, reports, status): the whole community's answers, or one peer-support
    group's (its active members) when ``?group=`` names a group of this community."""
    form = ReportScopeForm(request.GET, community=access.community)
    memberships = Membership.objects.filter(community=access.community)
    group = None
    if form.is_bound:
        if not form.is_valid():
            return form, None, [], 400
        group = form.cleaned_data["group"]
        if group is not None:
            memberships = memberships.filter(pk__in=GroupMember.objects.active().filter(group=group)
                                             .values("membership_id"))
    return form, group, wellbeing_report(memberships), 200


@login_required
def report(request, slug):
    access = require_coordinator(request, slug)
    form, group, reports, status = _scoped_report(request, access)
    items = []
    for index, item in enumerate(reports):
        chart, table = distribution_chart(item, index)
        items.append({"report": item, "chart": mark_safe(chart), "table": table})  # escaped by bar_chart
    return render(request, "outcomes/report.html", {"access": access, "community": access.community, "items": items,
                                                    "form": form, "group": group}, status=status)


@login_required
def report_csv(request, slug):
    access = require_coordinator(request, slug)
    _form, group, reports, status = _scoped_report(request, access)
    if status != 200:
        return HttpResponse(_("Choose a group of this community."), status=status, content_type="text/plain")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    scope = f"-group-{group.pk}" if group else ""
    response["Content-Disposition"] = f'attachment; filename="wellbeing-{access.community.slug}{scope}.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(["question", "answer", "people (latest answer)"])
    for item in reports:
        for label, count in item.distribution:
            writer.writerow([item.question, label, count])
    writer.writerow([])
    writer.writerow(["question", "people answering", "mean latest", "people answering twice or more",
                     "mean change (latest - first)", "share improved"])
    for item in reports:
        writer.writerow([item.question, item.answered, _fmt(item.mean_latest), item.people_with_change,
                         _fmt(item.mean_change), _fmt(item.share_improved)])
    return response


def _fmt(value):
    return "" if value is None else f"{value:.3f}"
