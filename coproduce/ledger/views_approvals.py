"""The coordinators' approval queue: credits held for a second pair of eyes."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coproduce.ledger import queries, services
from coproduce.ledger.models import HoldReason, Transfer, TransferStatus
from coproduce.members.permissions import require_coordinator


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is it declined?"), max_length=500,
                             help_text=gettext_lazy("The person who recorded it will see this."))


@login_required
def approvals(request, slug):
    access = require_coordinator(request, slug)
    held = list(queries.held(access.community)[:200])
    lines = queries.counterparties(held)
    counts = dict.fromkeys(HoldReason.values, 0)
    for transfer in held:
        counts[transfer.hold_reason] += 1
    return render(request, "ledger/approvals.html", {
        "access": access, "community": access.community, "rows": [(t, lines[t.pk]) for t in held],
        "counts": [(HoldReason(reason).label, count) for reason, count in counts.items() if count],
        "total": queries.held(access.community).count(), "decline_form": DeclineForm()})


def _held(access, pk) -> Transfer:
    return get_object_or_404(Transfer, pk=pk, community=access.community, status=TransferStatus.HELD)


@login_required
@require_POST
def approve(request, slug, pk):
    access = require_coordinator(request, slug)
    transfer = _held(access, pk)
    try:
        services.approve_transfer(transfer, approver=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Approved: transfer #%(pk)s is posted.") % {"pk": transfer.pk})
    return redirect("ledger:approvals", slug=slug)


@login_required
@require_POST
def decline(request, slug, pk):
    access = require_coordinator(request, slug)
    transfer = _held(access, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why it is declined: the person who recorded it will see it."))
        return redirect("ledger:approvals", slug=slug)
    try:
        services.decline_held_transfer(transfer, approver=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Declined: nothing was posted for transfer #%(pk)s.") % {"pk": transfer.pk})
    return redirect("ledger:approvals", slug=slug)
