"""Coordinators: the public releases of their community's figures, and corrections.

A released quarter is never recomputed (``insights.releases``); when its figures must change
(late records, a stricter k), a coordinator makes a new version with a reason, which the public
pages show with what changed. Audited (``releases.correct_release``).
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.insights import releases
from coproduce.insights.models import PublicRelease
from coproduce.members.permissions import require_coordinator
from coproduce.members.views import add_form_errors


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why are the figures being corrected?"),
                             help_text=gettext_lazy("Shown on the public page beside the new version."),
                             widget=forms.Textarea(attrs={"rows": 4}), max_length=releases.MAX_REASON)


def _quarter(community, quarter: str) -> datetime.date:
    """The released quarter named in the URL, or 404."""
    try:
        start = datetime.date.fromisoformat(quarter)
    except ValueError:
        raise Http404(_("No such quarter.")) from None
    if not PublicRelease.objects.filter(community=community, period_start=start).exists():
        raise Http404(_("These figures have not been released."))
    return start


@login_required
def release_list(request, slug):
    """Every released quarter and its versions."""
    access = require_coordinator(request, slug)
    community = access.community
    found = (PublicRelease.objects.filter(community=community).select_related("released_by")
             .order_by("-period_start", "-version"))
    quarters: dict[datetime.date, list] = {}
    for release in found:
        quarters.setdefault(release.period_start, []).append(release)
    rows = [{"start": start, "label": releases.quarter_label(start), "versions": versions}
            for start, versions in quarters.items()]
    return render(request, "insights/releases.html", {"access": access, "community": community, "rows": rows})


@login_required
def correct(request, slug, quarter):
    """A new version of a released quarter, from today's records and settings, with a reason."""
    access = require_coordinator(request, slug)
    community = access.community
    start = _quarter(community, quarter)
    latest = releases.latest_release(community, start)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            release = releases.correct_release(community, start, actor=request.user,
                                               reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Version %(version)s of the figures for %(quarter)s is published.")
                             % {"version": release.version, "quarter": releases.quarter_label(start)})
            return redirect("insights:releases", slug=slug)
    return render(request, "insights/release_correct.html", {
        "access": access, "community": community, "form": form, "latest": latest,
        "quarter": releases.quarter_label(start), "start": start,
    })
