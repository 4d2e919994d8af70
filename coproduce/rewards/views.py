"""Pages for spending credits: where to spend them (members), a one-time code on the member's
phone, the member's card PIN, and the venue's counter (staff and coordinators, phone-sized)."""

import base64
import math

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.ledger import services as ledger
from coproduce.members.views import add_form_errors
from coproduce.partners.models import Listing, Redemption
from coproduce.partners.permissions import require_manager, require_partner_viewer
from coproduce.partners.rewards import counts_for, record_came_back_paying, refusal
from coproduce.rewards import figures, services
from coproduce.rewards.forms import (
    CardForm,
    CodeForm,
    ConfirmCodeForm,
    DeclineForm,
    PinForm,
    VenueApplicationForm,
)
from coproduce.rewards.models import JoinStatus, MemberCard, RedemptionCode, VenueApplication


def _member(partner):
    if partner.membership is None:
        raise PermissionDenied(_("Only members can spend credits."))
    return partner.membership


def _distance(a, b) -> float:
    """Rough kilometres between two areas' centres (enough to put the nearest first)."""
    if a is None or b is None or a.latitude is None or b.latitude is None:
        return math.inf
    lat = math.radians(float(a.latitude + b.latitude) / 2)
    return math.hypot(float(a.latitude - b.latitude), float(a.longitude - b.longitude) * math.cos(lat)) * 111.32


@login_required
def where_to_spend(request, slug):
    partner = require_partner_viewer(request, slug)
    listings = list(Listing.objects.filter(active=True, organisation__community=partner.community)
                    .select_related("organisation__area", "organisation__community"))
    membership = partner.membership
    home = membership.area if membership else None
    listings.sort(key=lambda listing: (_distance(home, listing.organisation.area), listing.title))
    counts = counts_for(listings, membership) if membership else None
    rows = [(listing, refusal(listing, membership, counts=counts) if membership else "") for listing in listings]
    return render(request, "rewards/spend.html", partner.context(rows=rows, near=home))


@login_required
@require_POST
def code_new(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    membership = _member(partner)
    listing = get_object_or_404(Listing.objects.select_related("organisation__community"), pk=pk,
                                organisation__community=partner.community)
    try:
        code = services.issue_code(listing, membership=membership, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("rewards:spend", slug)
    return redirect("rewards:code", slug, code.code)


def _qr_data_uri(text: str) -> str:
    """The QR code as an SVG data: URI (the page's policy allows data: images, not inline SVG styles)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@login_required
def code_page(request, slug, code):
    partner = require_partner_viewer(request, slug)
    membership = _member(partner)
    found = (RedemptionCode.objects.select_related("listing__organisation", "redemption__transfer")
             .filter(code=services.normalise_code(code), membership=membership).first())
    if found is None:
        raise Http404
    counter = reverse("rewards:counter", args=[slug, found.listing.organisation_id]) + f"?code={found.code}"
    return render(request, "rewards/code.html", partner.context(
        code=found, qr=_qr_data_uri(settings.SITE_URL + counter), minutes=services.CODE_MINUTES))


@login_required
def my_card(request, slug):
    partner = require_partner_viewer(request, slug)
    membership = _member(partner)
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_pin(membership, pin=form.cleaned_data["pin"], actor=request.user)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Your PIN is set. Show your member number at the counter and type your PIN."))
            return redirect("rewards:card", slug)
    card = MemberCard.objects.filter(membership=membership).first()
    return render(request, "rewards/card.html", partner.context(form=form, card=card, number=membership.pk))


def _counter_page(request, partner, organisation, *, code_form, confirm=None, card_form=None, done=None,
                  status=200):
    listings = Listing.objects.filter(organisation=organisation, active=True)
    card_form = card_form or CardForm(listings=listings)
    return render(request, "rewards/counter.html", partner.context(
        organisation=organisation, code_form=code_form, confirm=confirm, card_form=card_form, done=done),
        status=status)


@login_required
def counter(request, slug, pk):
    """The till: type (or scan) a member's code, see who and what, confirm."""
    partner, organisation = require_manager(request, slug, pk)
    if request.method == "POST":
        form = ConfirmCodeForm(request.POST)
        if form.is_valid():
            try:
                redemption, already = services.redeem_code(
                    organisation, form.cleaned_data["code"], actor=request.user,
                    age_checked=form.cleaned_data["age_checked"])
            except ValidationError as error:
                try:
                    confirm = services.code_at(organisation, form.cleaned_data["code"])
                except ValidationError:
                    confirm = None
                if confirm is None:  # start again with the code as typed
                    form = CodeForm({"code": form.cleaned_data["code"]})
                    form.is_valid()
                add_form_errors(form, error)
                return _counter_page(request, partner, organisation, code_form=form, confirm=confirm, status=400)
            return _counter_page(request, partner, organisation, code_form=CodeForm(),
                                 done={"redemption": redemption, "already": already})
        return _counter_page(request, partner, organisation, code_form=CodeForm(), status=400)
    if "code" in request.GET:
        form = CodeForm(request.GET)
        if form.is_valid():
            try:
                confirm = services.code_at(organisation, form.cleaned_data["code"])
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                return _counter_page(request, partner, organisation, confirm=confirm,
                                     code_form=ConfirmCodeForm(initial={"code": confirm.code}))
        return _counter_page(request, partner, organisation, code_form=form)
    return _counter_page(request, partner, organisation, code_form=CodeForm())


@login_required
@require_POST
def counter_card(request, slug, pk):
    """The till for a printed card: member number, PIN (typed by the member), what for."""
    partner, organisation = require_manager(request, slug, pk)
    listings = Listing.objects.filter(organisation=organisation, active=True)
    form = CardForm(request.POST, listings=listings)
    if form.is_valid():
        try:
            redemption = services.redeem_card(
                organisation, form.cleaned_data["listing"], number=form.cleaned_data["number"],
                pin=form.cleaned_data["pin"], actor=request.user, idempotency_key=form.cleaned_data["token"],
                age_checked=form.cleaned_data["age_checked"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return _counter_page(request, partner, organisation, code_form=CodeForm(),
                                 done={"redemption": redemption, "already": False})
    return _counter_page(request, partner, organisation, code_form=CodeForm(), card_form=form, status=400)


@login_required
def recent(request, slug, pk):
    """The venue's recent redemptions, where its staff record who came back as a paying customer."""
    partner, organisation = require_manager(request, slug, pk)
    if request.method == "POST":
        redemption = get_object_or_404(Redemption.objects.select_related("listing__organisation__community"),
                                       pk=request.POST.get("redemption"), listing__organisation=organisation)
        try:
            record_came_back_paying(redemption, actor=request.user,
                                    on=ledger.community_today(organisation.community))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you: that counts in the marketplace's figures."))
        return redirect("rewards:recent", slug, pk)
    redemptions = (Redemption.objects.filter(listing__organisation=organisation)
                   .select_related("listing", "membership__user").order_by("-redeemed_at")[:50])
    return render(request, "rewards/recent.html", partner.context(organisation=organisation,
                                                                  redemptions=redemptions))


@login_required
def marketplace_figures(request, slug):
    partner = require_partner_viewer(request, slug)
    if not partner.is_coordinator:
        raise PermissionDenied(_("Only coordinators see the marketplace's figures."))
    return render(request, "rewards/figures.html", partner.context(
        figures=figures.marketplace(partner.community), k=partner.community.small_count_k))


@login_required
def join(request, slug):
    """A member brings their business in as a venue; they see what became of earlier requests."""
    partner = require_partner_viewer(request, slug)
    membership = _member(partner)
    form = VenueApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply_as_venue(membership, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Thank you: a coordinator will look at it and let you know."))
            return redirect("rewards:join", slug)
    mine = VenueApplication.objects.filter(membership=membership).order_by("-created_at")
    return render(request, "rewards/join.html", partner.context(form=form, mine=mine))


@login_required
def join_requests(request, slug):
    """Coordinators: businesses asking to join as venues, to approve or decline."""
    partner = require_partner_viewer(request, slug)
    if not partner.is_coordinator:
        raise PermissionDenied(_("Only coordinators decide who joins as a venue."))
    pending = (VenueApplication.objects.filter(membership__community=partner.community, status=JoinStatus.PENDING)
               .select_related("membership__user"))
    if request.method == "POST":
        application = get_object_or_404(pending, pk=request.POST.get("application"))
        decline = DeclineForm(request.POST) if request.POST.get("decision") == "decline" else None
        try:
            if decline is None:
                organisation = services.approve_venue(application, actor=request.user)
                messages.success(request, _("%(name)s has joined; %(person)s is its staff.") % {
                    "name": organisation.name, "person": application.membership.user.name})
            elif decline.is_valid():
                services.decline_venue(application, actor=request.user, reason=decline.cleaned_data["reason"])
                messages.success(request, _("Declined; the member sees why."))
            else:
                messages.error(request, _("Say why you decline, for the member who asked."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("rewards:join_requests", slug)
    return render(request, "rewards/join_requests.html", partner.context(
        pending=[(application, DeclineForm(auto_id=f"id_%s_{application.pk}")) for application in pending]))
