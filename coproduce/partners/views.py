"""Partner organisation pages: thin views that check access, validate a form and call a service."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coproduce.ledger import queries as ledger_queries
from coproduce.ledger.services import account_for_organisation, community_today
from coproduce.ledger.wording import credited_message
from coproduce.lib.duration import format_duration
from coproduce.members.views import add_form_errors
from coproduce.partners import services
from coproduce.partners.forms import (
    AgencyExchangeForm,
    AttendanceForm,
    CommunityTimeForm,
    EveryoneCameForm,
    GiveToPotForm,
    KeyedForm,
    ListingForm,
    OpportunityForm,
    OrganisationForm,
    SignUpForForm,
    StaffForm,
    opportunity_initial,
)
from coproduce.partners.models import Listing, Opportunity, OpportunityStatus, Organisation, Staff
from coproduce.partners.permissions import organisation_in, require_manager, require_partner_viewer


def _form_page(request, partner, form, heading, button, back):
    return render(
        request,
        "partners/form.html",
        partner.context(
            form=form, heading=heading, button=button, back_url=reverse(back[0], args=back[1:])
        ),
    )


def _flash_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def organisation_list(request, slug):
    partner = require_partner_viewer(request, slug)
    organisations = Organisation.objects.filter(community=partner.community).select_related("area")
    return render(request, "partners/list.html", partner.context(organisations=organisations))


@login_required
def organisation_detail(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    organisation = organisation_in(partner, pk)
    manages = partner.manages(organisation)
    staff = Staff.objects.active().filter(organisation=organisation).select_related("user")
    opportunities = organisation.opportunities.filter(status=OpportunityStatus.OPEN).annotate(
        signed_up=Count("signups")
    )
    listings = organisation.listings.filter(active=True)
    account = account_for_organisation(organisation) if manages else None
    return render(
        request,
        "partners/detail.html",
        partner.context(
            organisation=organisation,
            manages=manages,
            staff=staff,
            opportunities=opportunities,
            listings=[(listing, KeyedForm(auto_id=False)) for listing in listings],
            account=account,
            entries=(
                ledger_queries.with_other_side(ledger_queries.statement(account)[:20], account)
                if account
                else None
            ),
            past_staff=(
                Staff.objects.filter(organisation=organisation)
                .exclude(pk__in=staff.values("pk"))
                .select_related("user")
                if partner.is_coordinator
                else None
            ),
        ),
    )


@login_required
def organisation_new(request, slug):
    partner = require_partner_viewer(request, slug)
    if not partner.is_coordinator:
        raise PermissionDenied(_("Only coordinators can add a partner organisation."))
    form = OrganisationForm(request.POST or None, community=partner.community)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.save_organisation(
                community=partner.community, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("%(name)s is now a partner.") % {"name": organisation.name})
            return redirect("partners:detail", slug=slug, pk=organisation.pk)
    return _form_page(
        request,
        partner,
        form,
        _("Add a partner organisation"),
        _("Add organisation"),
        ("partners:list", slug),
    )


@login_required
def organisation_edit(request, slug, pk):
    partner, organisation = require_manager(request, slug, pk)
    form = OrganisationForm(
        request.POST or None,
        community=partner.community,
        initial=OrganisationForm.initial_for(organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_organisation(
                community=partner.community,
                actor=request.user,
                organisation=organisation,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("partners:detail", slug=slug, pk=pk)
    return _form_page(
        request,
        partner,
        form,
        _("Change %(name)s") % {"name": organisation.name},
        _("Save"),
        ("partners:detail", slug, pk),
    )


@login_required
def staff_add(request, slug, pk):
    partner, organisation = require_manager(request, slug, pk)
    if not partner.is_coordinator:
        raise PermissionDenied(_("Only coordinators can add partner staff."))
    form = StaffForm(request.POST or None, community=partner.community)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_staff(
                organisation,
                actor=request.user,
                membership=form.cleaned_data["member"],
                job_title=form.cleaned_data["job_title"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Staff added."))
            return redirect("partners:detail", slug=slug, pk=pk)
    return _form_page(
        request,
        partner,
        form,
        _("Add staff to %(name)s") % {"name": organisation.name},
        _("Add staff"),
        ("partners:detail", slug, pk),
    )


@login_required
@require_POST
def staff_end(request, slug, pk, staff_pk):
    partner, organisation = require_manager(request, slug, pk)
    if not partner.is_coordinator:
        raise PermissionDenied(_("Only coordinators can record that staff have left."))
    staff = get_object_or_404(Staff, pk=staff_pk, organisation=organisation)
    try:
        services.end_staff(staff, actor=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(
            request, _("%(name)s no longer has staff access.") % {"name": staff.user.name}
        )
    return redirect("partners:detail", slug=slug, pk=pk)


@login_required
def opportunity_new(request, slug, pk):
    partner, organisation = require_manager(request, slug, pk)
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.post_opportunity(
                organisation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Opportunity posted."))
            return redirect("partners:opportunity", slug=slug, pk=opportunity.pk)
    return _form_page(
        request,
        partner,
        form,
        _("Post an opportunity at %(name)s") % {"name": organisation.name},
        _("Post opportunity"),
        ("partners:detail", slug, pk),
    )


@login_required
def opportunity_edit(request, slug, pk):
    partner, opportunity = _require_attendance_manager(request, slug, pk)
    form = OpportunityForm(request.POST or None, initial=opportunity_initial(opportunity))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_opportunity(opportunity, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("partners:opportunity", slug=slug, pk=pk)
    return _form_page(
        request,
        partner,
        form,
        _("Change %(title)s") % {"title": opportunity.title},
        _("Save"),
        ("partners:opportunity", slug, pk),
    )


def _opportunity(partner, pk) -> Opportunity:
    return get_object_or_404(
        Opportunity.objects.select_related("organisation__community"),
        pk=pk,
        organisation__community=partner.community,
    )


@login_required
def opportunity_detail(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    opportunity = _opportunity(partner, pk)
    manages = partner.manages(opportunity.organisation)
    signups = list(opportunity.signups.select_related("membership__user", "transfer"))
    own = next(
        (s for s in signups if partner.membership and s.membership_id == partner.membership.pk),
        None,
    )
    return render(
        request,
        "partners/opportunity.html",
        partner.context(
            opportunity=opportunity,
            organisation=opportunity.organisation,
            manages=manages,
            signups=signups if manages else None,
            own=own,
            places_left=opportunity.places_needed - len(signups),
            sign_up_for=SignUpForForm(community=partner.community)
            if partner.is_coordinator
            else None,
            confirmed=sum(s.minutes or 0 for s in signups),
        ),
    )


@login_required
@require_POST
def opportunity_sign_up(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    opportunity = _opportunity(partner, pk)
    if partner.membership is None:
        raise PermissionDenied(_("Only members can sign up."))
    try:
        services.sign_up(opportunity, membership=partner.membership, actor=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _("You are signed up. Thank you!"))
    return redirect("partners:opportunity", slug=slug, pk=pk)


@login_required
@require_POST
def opportunity_sign_up_for(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    if not partner.is_coordinator:
        raise PermissionDenied(_("Only coordinators can sign someone else up."))
    opportunity = _opportunity(partner, pk)
    form = SignUpForForm(request.POST, community=partner.community)
    if form.is_valid():
        try:
            services.sign_up(
                opportunity, membership=form.cleaned_data["member"], actor=request.user
            )
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(
                request,
                _("%(name)s is signed up.") % {"name": form.cleaned_data["member"].user.name},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("partners:opportunity", slug=slug, pk=pk)


@login_required
@require_POST
def opportunity_withdraw(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    opportunity = _opportunity(partner, pk)
    if partner.membership is None:
        raise PermissionDenied(_("Only members can sign up."))
    signup = get_object_or_404(opportunity.signups, membership=partner.membership)
    try:
        services.withdraw_signup(signup, actor=request.user)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, _("Your sign-up is taken back."))
    return redirect("partners:opportunity", slug=slug, pk=pk)


@login_required
@require_POST
def opportunity_cancel(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    opportunity = _opportunity(partner, pk)
    if not partner.manages(opportunity.organisation):
        raise PermissionDenied(_("Only the organisation's staff and coordinators can do this."))
    services.cancel_opportunity(opportunity, actor=request.user)
    messages.success(request, _("The opportunity is cancelled."))
    return redirect("partners:detail", slug=slug, pk=opportunity.organisation_id)


def _attendance_day(opportunity: Opportunity, today) -> datetime.date:
    """The day to offer for attendance: today while it runs, else its last day (or first, if ahead)."""
    last = opportunity.ends_on or opportunity.starts_on
    return max(opportunity.starts_on, min(today, last))


def _require_attendance_manager(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    opportunity = _opportunity(partner, pk)
    if not partner.manages(opportunity.organisation):
        raise PermissionDenied(
            _("Only the organisation's staff and coordinators can confirm attendance.")
        )
    return partner, opportunity


def _attendance_page(request, partner, opportunity, *, form=None, everyone_form=None):
    signups = list(
        opportunity.signups.select_related("membership__user", "transfer").order_by(
            "membership__user__name", "pk"
        )
    )
    waiting = [s for s in signups if not s.transfer_id]
    day = _attendance_day(opportunity, community_today(partner.community))
    if form is None:
        form = AttendanceForm(
            community=partner.community,
            signups=waiting,
            expected_minutes=opportunity.expected_minutes,
            performed_on=day,
        )
    if everyone_form is None:
        everyone_form = EveryoneCameForm(performed_on=day)
    return render(
        request,
        "partners/attendance.html",
        partner.context(
            opportunity=opportunity,
            organisation=opportunity.organisation,
            form=form,
            everyone_form=everyone_form,
            waiting=waiting,
            credited=[s for s in signups if s.transfer_id],
        ),
    )


@login_required
def opportunity_attendance(request, slug, pk):
    partner, opportunity = _require_attendance_manager(request, slug, pk)
    if request.method != "POST":
        return _attendance_page(request, partner, opportunity)
    signups = opportunity.signups.filter(transfer__isnull=True).select_related("membership__user")
    form = AttendanceForm(request.POST, community=partner.community, signups=signups)
    if form.is_valid():
        try:
            transfer = services.confirm_attendance(
                opportunity,
                actor=request.user,
                attended=form.attended(),
                performed_on=form.cleaned_data["performed_on"],
                idempotency_key=form.cleaned_data["token"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, credited_message(transfer, _("Attendance confirmed.")))
            return redirect("partners:opportunity", slug=slug, pk=pk)
    return _attendance_page(request, partner, opportunity, form=form)


def _skipped_message(skipped) -> str:
    people = "; ".join(
        _("%(name)s: %(why)s") % {"name": membership.user.name, "why": why}
        for membership, why in skipped
    )
    return ngettext(
        "%(n)d person was skipped. %(people)s.",
        "%(n)d people were skipped. %(people)s.",
        len(skipped),
    ) % {"n": len(skipped), "people": people}


@login_required
@require_POST
def opportunity_everyone_came(request, slug, pk):
    """The "Everyone came" shortcut: credit everyone not yet credited with the expected time."""
    partner, opportunity = _require_attendance_manager(request, slug, pk)
    form = EveryoneCameForm(request.POST)
    if form.is_valid():
        try:
            result = services.confirm_everyone_came(
                opportunity,
                actor=request.user,
                performed_on=form.cleaned_data["performed_on"],
                idempotency_key=form.cleaned_data["token"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            if result.credited:
                done = ngettext(
                    "%(n)d person credited %(time)s: %(names)s.",
                    "%(n)d people credited %(time)s each: %(names)s.",
                    len(result.credited),
                ) % {
                    "n": len(result.credited),
                    "time": format_duration(result.minutes),
                    "names": ", ".join(m.user.name for m in result.credited),
                }
                if result.repeated:
                    done = _("This was already recorded.") + " " + done
                messages.success(request, credited_message(result.transfer, done))
            else:
                messages.info(
                    request, _("Nobody was credited: everyone who signed up was skipped.")
                )
            if result.skipped:
                messages.info(request, _skipped_message(result.skipped))
            return redirect("partners:opportunity", slug=slug, pk=pk)
    return _attendance_page(request, partner, opportunity, everyone_form=form)


@login_required
def listing_new(request, slug, pk):
    partner, organisation = require_manager(request, slug, pk)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_listing(organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Listed."))
            return redirect("partners:detail", slug=slug, pk=pk)
    return _form_page(
        request,
        partner,
        form,
        _("Something members can spend credits on"),
        _("List it"),
        ("partners:detail", slug, pk),
    )


@login_required
@require_POST
def listing_buy(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    listing = get_object_or_404(
        Listing.objects.select_related("organisation__community"),
        pk=pk,
        organisation__community=partner.community,
    )
    if partner.membership is None:
        raise PermissionDenied(_("Only members can spend credits."))
    form = KeyedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form has expired; please try again."))
    else:
        try:
            services.buy_listing(
                listing,
                membership=partner.membership,
                actor=request.user,
                idempotency_key=form.cleaned_data["token"],
            )
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(
                request,
                _("Done: %(title)s is paid for with your credits.") % {"title": listing.title},
            )
    return redirect("partners:detail", slug=slug, pk=listing.organisation_id)


@login_required
def agency_exchange(request, slug, pk):
    partner, organisation = require_manager(request, slug, pk)
    form = AgencyExchangeForm(request.POST or None, receiver=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_agency_exchange(
                giver=data["giver"],
                receiver=organisation,
                minutes=data["minutes"],
                performed_on=data["performed_on"],
                description=data["description"],
                actor=request.user,
                idempotency_key=data["token"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Exchange recorded."))
            return redirect("partners:detail", slug=slug, pk=pk)
    return _form_page(
        request,
        partner,
        form,
        _("Help %(name)s received from another organisation") % {"name": organisation.name},
        _("Record exchange"),
        ("partners:detail", slug, pk),
    )


@login_required
def community_time(request, slug, pk):
    """A business records time it gave the community; the pot pays it once a coordinator approves."""
    partner, organisation = require_manager(request, slug, pk)
    form = CommunityTimeForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_time_for_community(organisation, actor=request.user, minutes=data["minutes"],
                                               performed_on=data["performed_on"], description=data["description"],
                                               idempotency_key=data["token"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Thank you: a coordinator will approve it, and the pot then pays %(name)s.")
                             % {"name": organisation.name})
            return redirect("partners:detail", slug=slug, pk=pk)
    return _form_page(
        request,
        partner,
        form,
        _("Record time %(name)s gave the community") % {"name": organisation.name},
        _("Send it for approval"),
        ("partners:detail", slug, pk),
    )


def give_to_pot(request, slug, pk):
    """A business passes credits it earned on to the community pot (a community cause)."""
    partner, organisation = require_manager(request, slug, pk)
    form = GiveToPotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_to_pot(organisation, actor=request.user, minutes=form.cleaned_data["minutes"],
                                 idempotency_key=form.cleaned_data["token"],
                                 description=form.cleaned_data["description"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Thank you: the credits are in the community pot."))
            return redirect("partners:detail", slug=slug, pk=pk)
    return _form_page(
        request,
        partner,
        form,
        _("Pass %(name)s's credits on to the community pot") % {"name": organisation.name},
        _("Pass them on"),
        ("partners:detail", slug, pk),
    )
