"""Referral pages. Nobody but the referrer, the coordinators and the person sees a referral (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.ledger.services import community_today
from coproduce.members.views import add_form_errors
from coproduce.partners.models import Organisation
from coproduce.partners.permissions import require_partner_viewer
from coproduce.referrals import queries, services
from coproduce.referrals.forms import AdvanceForm, ReferralForm


@login_required
def referral_list(request, slug):
    partner = require_partner_viewer(request, slug)
    referrals = queries.visible_to(
        request.user,
        partner.community,
        is_coordinator=partner.is_coordinator,
        staff_of=partner.staff_of,
    )
    return render(
        request,
        "referrals/list.html",
        partner.context(
            referrals=referrals[:500],
            counts=queries.counts(partner.community) if partner.is_coordinator else None,
        ),
    )


@login_required
def referral_new(request, slug):
    partner = require_partner_viewer(request, slug)
    if not partner.staff_of:
        raise PermissionDenied(_("Only partner staff can make referrals."))
    organisations = Organisation.objects.filter(pk__in=partner.staff_of)
    form = ReferralForm(
        request.POST or None, community=partner.community, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.make_referral(
                data["organisation"],
                actor=request.user,
                reason=data["reason"],
                consent=data["consent"],
                note=data["note"],
                membership=data["member"],
                name=data["name"],
                contact=data["contact"],
                group=data["group"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Referral sent. You can follow its progress here."))
            return redirect("referrals:detail", slug=slug, pk=referral.pk)
    return render(request, "referrals/form.html", partner.context(form=form))


def _visible(request, partner, pk):
    referrals = queries.visible_to(
        request.user,
        partner.community,
        is_coordinator=partner.is_coordinator,
        staff_of=partner.staff_of,
    )
    return get_object_or_404(referrals, pk=pk)


@login_required
def referral_detail(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    referral = _visible(request, partner, pk)
    form = None
    if partner.is_coordinator:
        form = AdvanceForm(
            community=partner.community, initial={"on": community_today(partner.community)}
        )
    return render(
        request,
        "referrals/detail.html",
        partner.context(
            referral=referral, steps=referral.steps.select_related("recorded_by"), form=form
        ),
    )


@login_required
@require_POST
def referral_advance(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    if not partner.is_coordinator:
        raise Http404
    referral = _visible(request, partner, pk)
    form = AdvanceForm(request.POST, community=partner.community)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.advance_referral(
                referral,
                actor=request.user,
                step=data["step"],
                on=data["on"],
                membership=data["member"],
                closed_reason=data["closed_reason"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Referral moved on."))
            return redirect("referrals:detail", slug=slug, pk=pk)
    return render(
        request,
        "referrals/detail.html",
        partner.context(
            referral=referral, steps=referral.steps.select_related("recorded_by"), form=form
        ),
        status=400,
    )
