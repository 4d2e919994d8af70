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
from coproduce.referrals.forms import AdvanceForm, ReferralForm, SignpostForm


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
        request.POST or None, community=partner.community, organisations=organisations,
        initial={"service": request.GET.get("service")},  # "Refer someone here" on a directory entry
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
                service=data["service"],
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


@login_required
def signpost(request, slug, pk):
    """Partner staff give someone a directory service's details, printed or sent by e-mail
    (signposting); the page is the printable card, and recording it counts it in the figures.
    The person's e-mail address is used to send the details and not kept."""
    from coproduce.assets.models import Service

    partner = require_partner_viewer(request, slug)
    if not partner.staff_of:
        raise PermissionDenied(_("Only partner staff can signpost people."))
    service = get_object_or_404(Service.objects.listed().select_related("organisation")
                                .prefetch_related("locations", "schedules"), pk=pk, community=partner.community)
    form = SignpostForm(request.POST or None, organisations=Organisation.objects.filter(pk__in=partner.staff_of))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.signpost(data["organisation"], actor=request.user, service=service, how=data["how"],
                              reason=data["reason"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            if data["email"]:
                send_service_details(service, to=data["email"], sender=data["organisation"])
            messages.success(request, _("Recorded: you gave the details of %(service)s.") % {"service": service.name})
            return redirect("referrals:signpost", slug=slug, pk=pk)
    return render(request, "referrals/signpost.html", partner.context(form=form, service=service))


def send_service_details(service, *, to: str, sender) -> None:
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    body = render_to_string("referrals/email/service_details.txt", {"service": service, "sender": sender})
    send_mail(_("Details of %(service)s, from %(sender)s") % {"service": service.name, "sender": sender.name},
              body, None, [to])
