"""Peer-support group pages: thin views that check access, validate a form and call a service."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Min
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coproduce.groups import calendar, queries, services
from coproduce.groups.forms import (
    GroupForm,
    RegisterForm,
    ReplyForm,
    RoleForm,
    ScheduleForm,
    SessionChangeForm,
    ThreadForm,
)
from coproduce.groups.models import (
    BookingStatus,
    FeedToken,
    Group,
    GroupMember,
    GroupMemberStatus,
    Session,
    SessionStatus,
    Thread,
)
from coproduce.ledger.services import new_key
from coproduce.ledger.wording import credited_message
from coproduce.members.models import Membership
from coproduce.members.views import add_form_errors
from coproduce.partners.models import Organisation
from coproduce.partners.permissions import require_partner_viewer


def _flash(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _group(partner, pk) -> Group:
    return get_object_or_404(
        Group.objects.select_related("organisation", "community"),
        pk=pk,
        community=partner.community,
    )


def _session(partner, pk) -> Session:
    return get_object_or_404(
        Session.objects.select_related("group__organisation", "group__community", "series"),
        pk=pk,
        group__community=partner.community,
    )


def _own(partner):
    if partner.membership is None:
        raise PermissionDenied(_("Only members can do this."))
    return partner.membership


def _require_lead(request, group):
    if not services.may_lead(request.user, group):
        raise PermissionDenied(_("Only the group's facilitators and coordinators can do this."))


@login_required
def group_list(request, slug):
    partner = require_partner_viewer(request, slug)
    groups = Group.objects.filter(community=partner.community).select_related("organisation")
    invitations = []
    if partner.membership:
        invitations = list(
            GroupMember.objects.filter(membership=partner.membership, status=GroupMemberStatus.INVITED)
            .select_related("group", "invited_by")
        )
    return render(
        request,
        "groups/list.html",
        partner.context(
            groups=groups,
            invitations=invitations,
            may_start=partner.is_coordinator or bool(partner.staff_of),
        ),
    )


@login_required
def group_new(request, slug):
    partner = require_partner_viewer(request, slug)
    if not (partner.is_coordinator or partner.staff_of):
        raise PermissionDenied(
            _("Only coordinators and partner staff can start a peer-support group.")
        )
    organisations = Organisation.objects.filter(community=partner.community)
    if not partner.is_coordinator:
        organisations = organisations.filter(pk__in=partner.staff_of)
    form = GroupForm(request.POST or None, community=partner.community, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.create_group(
                community=partner.community,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                translations=form.translations(),
                organisation=data["organisation"],
                join_policy=data["join_policy"],
                credit_rule=data["credit_rule"],
                facilitators=[data["facilitator"]],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("groups:detail", slug=slug, pk=group.pk)
    return render(
        request,
        "groups/form.html",
        partner.context(
            form=form, heading=_("Start a peer-support group"), button=_("Start group")
        ),
    )


@login_required
def group_detail(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    group = _group(partner, pk)
    places = list(
        GroupMember.objects.filter(group=group)
        .exclude(status=GroupMemberStatus.LEFT)
        .select_related("membership__user", "invited_by")
    )
    own = next(
        (p for p in places if partner.membership and p.membership_id == partner.membership.pk), None
    )
    leads = services.may_lead(request.user, group)
    now = timezone.now()
    sessions = list(
        group.sessions.filter(ends_at__gte=now).select_related("series")[:20]
    )
    # Past sessions stay listed (their registers can still be taken); leads see which wait.
    past = list(group.sessions.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:10])
    registers = list(queries.registers_to_take([group.pk])) if leads else []
    booked = {}
    if partner.membership:
        booked = dict(
            partner.membership.session_bookings.filter(session__group=group).values_list(
                "session_id", "status"
            )
        )
    feed_urls = {}
    if own and own.status == GroupMemberStatus.ACTIVE:
        feed_urls = {
            "group": request.build_absolute_uri(
                reverse("groups:feed", args=[services.feed_token(partner.membership, group).token])
            ),
            "member": request.build_absolute_uri(
                reverse("groups:feed", args=[services.feed_token(partner.membership).token])
            ),
        }
    return render(
        request,
        "groups/detail.html",
        partner.context(
            group=group,
            own=own,
            leads=leads,
            sessions=[(s, booked.get(s.pk)) for s in sessions],
            past_sessions=past,
            registers=registers,
            facilitators=[
                p
                for p in places
                if p.role == "facilitator" and p.status == GroupMemberStatus.ACTIVE
            ],
            places=places if leads else None,
            role_form=RoleForm(community=partner.community) if leads else None,
            feed_urls=feed_urls,
            BOOKED=BookingStatus.BOOKED,
        ),
    )


@login_required
@require_POST
def group_join(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    group = _group(partner, pk)
    try:
        place = services.join_group(group, membership=_own(partner))
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(
            request,
            _("Welcome to the group.")
            if place.status == GroupMemberStatus.ACTIVE
            else _("You have asked to join; a facilitator will be in touch."),
        )
    return redirect("groups:detail", slug=slug, pk=pk)


@login_required
@require_POST
def group_leave(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    services.leave_group(_group(partner, pk), membership=_own(partner))
    messages.success(request, _("You have left the group."))
    return redirect("groups:detail", slug=slug, pk=pk)


@login_required
@require_POST
def group_role(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    group = _group(partner, pk)
    _require_lead(request, group)
    form = RoleForm(request.POST, community=partner.community)
    if form.is_valid():
        try:
            services.set_role(
                group,
                actor=request.user,
                membership=form.cleaned_data["member"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("Saved."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("groups:detail", slug=slug, pk=pk)


def _answer(request, slug, pk, *, accept: bool):
    """The invited person answers; a coordinator may answer for an assisted member (``?member=``)."""
    partner = require_partner_viewer(request, slug)
    group = _group(partner, pk)
    who = request.POST.get("member", "")
    if who:
        if not (who.isdecimal() and partner.is_coordinator):
            raise Http404
        membership = get_object_or_404(
            Membership.objects.active().select_related("user"), pk=who, community=partner.community
        )
    else:
        membership = _own(partner)
    try:
        services.answer_invitation(
            group, membership=membership, actor=request.user, accept=accept
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(
            request,
            _("Welcome to the group.") if accept else _("The invitation is declined."),
        )
    return redirect("groups:detail", slug=slug, pk=pk)


@login_required
@require_POST
def accept_invitation(request, slug, pk):
    return _answer(request, slug, pk, accept=True)


@login_required
@require_POST
def decline_invitation(request, slug, pk):
    return _answer(request, slug, pk, accept=False)


@login_required
def session_new(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    group = _group(partner, pk)
    _require_lead(request, group)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.schedule_sessions(group, actor=request.user, **form.schedule())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, ngettext("Session added.", "%(n)d sessions added.", len(made))
                             % {"n": len(made)})
            return redirect("groups:detail", slug=slug, pk=pk)
    return render(
        request,
        "groups/form.html",
        partner.context(
            form=form,
            group=group,
            heading=_("Add a session to %(name)s") % {"name": group.name},
            button=_("Add session"),
        ),
    )


@login_required
def session_change(request, slug, pk):
    """Move or change a session, or it and the later sessions of its series."""
    partner = require_partner_viewer(request, slug)
    session = _session(partner, pk)
    _require_lead(request, session.group)
    if session.attendance_recorded_at or session.status == SessionStatus.CANCELLED:
        messages.error(request, _("A cancelled session, or one whose register is taken, cannot be changed."))
        return redirect("groups:session", slug=slug, pk=pk)
    initial = {"starts_at": timezone.localtime(session.starts_at), "ends_at": timezone.localtime(session.ends_at),
               "place": session.place, "online_link": session.online_link, "capacity": session.capacity}
    form = SessionChangeForm(request.POST or None, initial=initial, in_series=session.series_id is not None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        rest = data.pop("scope", "one") == "rest"
        try:
            changed = services.change_session(session, actor=request.user, rest=rest, **data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, ngettext("Session changed.", "%(n)d sessions changed.", len(changed))
                             % {"n": len(changed)})
            return redirect("groups:session", slug=slug, pk=pk)
    return render(
        request,
        "groups/form.html",
        partner.context(
            form=form,
            group=session.group,
            heading=_("Change the session of %(when)s") % {
                "when": date_format(timezone.localtime(session.starts_at), "j F Y, H:i")},
            button=_("Save changes"),
        ),
    )


@login_required
def session_detail(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    session = _session(partner, pk)
    leads = services.may_lead(request.user, session.group)
    if not leads and (
        partner.membership is None
        or services.active_place(session.group, partner.membership) is None
    ):
        raise PermissionDenied(_("Only members of the group can see its sessions."))
    bookings = list(session.bookings.select_related("membership__user")) if leads else None
    series_dates = None
    if session.series_id:
        span = session.series.sessions.aggregate(first=Min("starts_at"), last=Max("starts_at"))
        series_dates = (span["first"], span["last"])
    return render(
        request,
        "groups/session.html",
        partner.context(
            session=session,
            group=session.group,
            past=session.starts_at <= timezone.now(),
            series_dates=series_dates,
            leads=leads,
            bookings=bookings,
            attendance=session.attendance.select_related("membership__user") if leads else None,
        ),
    )


def _session_action(request, slug, pk, action, done):
    partner = require_partner_viewer(request, slug)
    session = _session(partner, pk)
    try:
        action(session, partner)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, done)
    return redirect("groups:detail", slug=slug, pk=session.group_id)


@login_required
@require_POST
def session_book(request, slug, pk):
    def action(session, partner):
        booking = services.book(session, membership=_own(partner))
        if booking.status == BookingStatus.WAITING:
            messages.info(request, _("The session is full: you are on the waiting list."))

    return _session_action(request, slug, pk, action, _("Done."))


@login_required
@require_POST
def session_unbook(request, slug, pk):
    return _session_action(
        request,
        slug,
        pk,
        lambda s, p: services.cancel_booking(s, membership=_own(p)),
        _("Your booking is cancelled."),
    )


@login_required
@require_POST
def session_cancel(request, slug, pk):
    """Cancel a session; ``rest=1`` cancels it and the later sessions of its series."""
    partner = require_partner_viewer(request, slug)
    session = _session(partner, pk)
    _require_lead(request, session.group)
    rest = request.POST.get("rest") == "1"
    try:
        cancelled = services.cancel_session(session, actor=request.user, rest=rest)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, ngettext("The session is cancelled.", "%(n)d sessions are cancelled.",
                                           len(cancelled)) % {"n": len(cancelled)})
    return redirect("groups:detail", slug=slug, pk=session.group_id)


@login_required
def session_register(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    session = _session(partner, pk)
    _require_lead(request, session.group)
    places = (
        GroupMember.objects.active().filter(group=session.group).select_related("membership__user")
    )
    booked = set(
        session.bookings.filter(status=BookingStatus.BOOKED).values_list("membership_id", flat=True)
    )
    form = RegisterForm(
        request.POST or None,
        places=places,
        initial={"token": new_key(), "present": [str(pk) for pk in booked]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.record_attendance(
                session,
                actor=request.user,
                present=form.present_memberships(),
                idempotency_key=form.cleaned_data["token"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, credited_message(transfer, _("Attendance recorded.")))
            return redirect("groups:session", slug=slug, pk=pk)
    return render(
        request,
        "groups/form.html",
        partner.context(
            form=form,
            heading=_("Register for %(session)s") % {"session": session},
            button=_("Record attendance"),
        ),
    )


@login_required
@require_POST
def renew_feed(request, slug, pk):
    """A new private calendar URL for this group's feed and the member's own feed; the old ones stop working."""
    partner = require_partner_viewer(request, slug)
    group = _group(partner, pk)
    membership = _own(partner)
    services.renew_feed_token(membership, group)
    services.renew_feed_token(membership)
    messages.success(request, _("New calendar addresses made; the old ones no longer work."))
    return redirect("groups:detail", slug=slug, pk=pk)


def feed(request, token):
    """A private iCalendar feed: no log-in, the token is the key. Wrong or revoked: 404."""
    found = (
        FeedToken.objects.filter(token=token, revoked_at__isnull=True, membership__status="active")
        .select_related("membership", "group")
        .first()
    )
    if found is None:
        raise Http404
    if found.group is not None:
        if services.active_place(found.group, found.membership) is None:
            raise Http404
        sessions, name = calendar.sessions_for_feed(group=found.group), found.group.name
    else:
        sessions, name = (
            calendar.sessions_for_feed(membership=found.membership),
            _("My peer-support groups"),
        )
    community = found.membership.community

    def url_for(session):
        return request.build_absolute_uri(
            reverse("groups:session", args=[community.slug, session.pk])
        )

    body = calendar.feed(
        sessions.exclude(status=SessionStatus.CANCELLED, starts_at__lt=timezone.now()),
        name=name,
        url_for=url_for,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _member_of_group(request, partner, group):
    if partner.membership is None or services.active_place(group, partner.membership) is None:
        raise PermissionDenied(_("Only members of the group can see its discussions."))


@login_required
def threads(request, slug, pk):
    partner = require_partner_viewer(request, slug)
    group = _group(partner, pk)
    _member_of_group(request, partner, group)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(
                group, membership=partner.membership, **form.cleaned_data
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("groups:thread", slug=slug, pk=pk, thread_pk=thread.pk)
    return render(
        request,
        "groups/threads.html",
        partner.context(group=group, threads=group.threads.select_related("started_by"), form=form),
    )


@login_required
def thread(request, slug, pk, thread_pk):
    partner = require_partner_viewer(request, slug)
    group = _group(partner, pk)
    _member_of_group(request, partner, group)
    found = get_object_or_404(Thread, pk=thread_pk, group=group)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply(found, membership=partner.membership, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("groups:thread", slug=slug, pk=pk, thread_pk=thread_pk)
    return render(
        request,
        "groups/thread.html",
        partner.context(
            group=group, thread=found, posts=found.posts.select_related("author"), form=form
        ),
    )
