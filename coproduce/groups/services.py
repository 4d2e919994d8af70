"""Every write about peer-support groups: members, sessions, bookings, the register, threads.

Recording attendance credits the facilitators (and peer supporters when the group's rule
says so) who were there, in one ledger group exchange: many givers → the host, which is
the partner organisation's account or, for a community group, the pot.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import Community
from coproduce.groups import recurrence
from coproduce.groups.models import (
    MAX_SERIES_SESSIONS,
    Attendance,
    Booking,
    BookingStatus,
    CreditRule,
    FeedToken,
    Frequency,
    Group,
    GroupMember,
    GroupMemberStatus,
    GroupRole,
    JoinPolicy,
    Post,
    Session,
    SessionSeries,
    SessionStatus,
    Thread,
)
from coproduce.ledger import services as ledger
from coproduce.ledger.models import MAX_LINE_MINUTES, MINUTE_STEP, HoldReason
from coproduce.members.models import Membership
from coproduce.partners.models import Organisation
from coproduce.partners.permissions import is_active_staff

LEADING_ROLES = (GroupRole.FACILITATOR, GroupRole.PEER_SUPPORTER)


def is_facilitator(user, group: Group) -> bool:
    return GroupMember.objects.facilitators().filter(group=group, membership__user=user).exists()


def _is_host_staff(user, group: Group) -> bool:
    return group.organisation_id is not None and is_active_staff(user, group.organisation)


def may_lead(user, group: Group) -> bool:
    """Facilitators, the host's active staff, coordinators and site admins run the group."""
    return (is_facilitator(user, group) or ledger.is_coordinator(user, group.community)
            or _is_host_staff(user, group))


def may_appoint(user, group: Group) -> bool:
    """Coordinators and the host's active staff give (and take away) facilitator and peer-supporter
    roles: those roles are credited for sessions, so a facilitator cannot hand them to a friend."""
    return ledger.is_coordinator(user, group.community) or _is_host_staff(user, group)


def _require_lead(user, group: Group) -> None:
    if not may_lead(user, group):
        raise ValidationError(_("Only the group's facilitators and coordinators can do this."))


def active_place(group: Group, membership: Membership) -> GroupMember | None:
    return GroupMember.objects.active().filter(group=group, membership=membership).first()


# ---------------------------------------------------------------------------- groups and members


@transaction.atomic
def create_group(*, community: Community, actor, name: str, description: str = "", translations: dict | None = None,
                 organisation: Organisation | None = None, join_policy: str = JoinPolicy.OPEN,
                 credit_rule: str = CreditRule.FACILITATORS,
                 facilitators: Sequence[Membership] = ()) -> Group:
    """Coordinators (or staff of the hosting organisation) start a group and invite its facilitators."""
    if organisation is not None and organisation.community_id != community.pk:
        raise ValidationError({"organisation": _("Choose one of this community's organisations.")})
    if not (ledger.is_coordinator(actor, community) or (organisation and is_active_staff(actor, organisation))):
        raise ValidationError(_("Only coordinators and partner staff can start a peer-support group."))
    if not name.strip():
        raise ValidationError({"name": _("Give the group a name.")})
    if Group.objects.filter(community=community, name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("There is already a group called %(name)s.") % {"name": name.strip()}})
    if join_policy not in JoinPolicy.values or credit_rule not in CreditRule.values:
        raise ValidationError(_("Choose from the lists."))
    group = Group.objects.create(community=community, organisation=organisation, name=name.strip(),
                                 description=description, translations=translations or {},
                                 join_policy=join_policy, credit_rule=credit_rule)
    record_audit(actor=actor, action=AuditAction.GROUP_SAVED, community=community, subject=group.name)
    for membership in facilitators:
        _invite(group, membership, actor=actor, role=GroupRole.FACILITATOR)
    return group


def _check_member(group: Group, membership: Membership) -> None:
    if membership.community_id != group.community_id or not membership.is_active:
        raise ValidationError({"member": _("Choose an active member of this community.")})


def _set_place(group: Group, membership: Membership, *, role: str,
               status: str = GroupMemberStatus.ACTIVE, **fields) -> GroupMember:
    _check_member(group, membership)
    place, _created = GroupMember.objects.update_or_create(group=group, membership=membership,
                                                           defaults={"role": role, "status": status, **fields})
    return place


def _invite(group: Group, membership: Membership, *, actor, role: str) -> GroupMember:
    """Being in a peer-support group says something about a person's health or life, so nobody is
    put in one: they are invited and say yes themselves (someone adding themselves is in at once)."""
    status = GroupMemberStatus.ACTIVE if membership.user_id == actor.pk else GroupMemberStatus.INVITED
    place = _set_place(group, membership, role=role, status=status, invited_by=actor,
                       appointed_by=actor if role in LEADING_ROLES else None)
    if status == GroupMemberStatus.INVITED:
        record_audit(actor=actor, action=AuditAction.GROUP_INVITED, community=group.community,
                     on_behalf_of=membership.user, subject=group.name, role=role)
    return place


@transaction.atomic
def join_group(group: Group, *, membership: Membership) -> GroupMember:
    """A member joins an open group, or asks to join a by-request group; an invitation is accepted."""
    existing = GroupMember.objects.filter(group=group, membership=membership).first()
    if existing and existing.status == GroupMemberStatus.INVITED:
        return answer_invitation(group, membership=membership, actor=membership.user, accept=True)
    if existing and existing.status != GroupMemberStatus.LEFT:
        raise ValidationError(_("You are already in this group, or have asked to join."))
    status = GroupMemberStatus.ACTIVE if group.join_policy == JoinPolicy.OPEN else GroupMemberStatus.REQUESTED
    return _set_place(group, membership, role=GroupRole.MEMBER, status=status, invited_by=None, appointed_by=None)


@transaction.atomic
def answer_invitation(group: Group, *, membership: Membership, actor, accept: bool) -> GroupMember:
    """The invited person says yes or no; a coordinator may answer for an assisted member (audited)."""
    place = GroupMember.objects.select_for_update().filter(group=group, membership=membership).first()
    if place is None or place.status != GroupMemberStatus.INVITED:
        raise ValidationError(_("There is no invitation to answer."))
    acting_for = actor.pk != membership.user_id
    if acting_for and not (membership.user.is_assisted and ledger.is_coordinator(actor, group.community)):
        raise ValidationError(_("Only the person invited can answer, or a coordinator for an assisted member."))
    place.status = GroupMemberStatus.ACTIVE if accept else GroupMemberStatus.LEFT
    place.save(update_fields=["status"])
    if acting_for:
        record_audit(actor=actor, action=AuditAction.GROUP_INVITATION_ANSWERED, community=group.community,
                     on_behalf_of=membership.user, subject=group.name, accepted=accept)
    return place


@transaction.atomic
def welcome_referred(group: Group, *, membership: Membership) -> GroupMember:
    """A referred person who has joined the time bank gets a place in the group they were referred to
    (they consented to the referral; the coordinator linking them accepts on the group's behalf)."""
    place = GroupMember.objects.filter(group=group, membership=membership).first()
    if place is not None and place.status == GroupMemberStatus.ACTIVE:
        return place
    return _set_place(group, membership, role=place.role if place else GroupRole.MEMBER)


@transaction.atomic
def leave_group(group: Group, *, membership: Membership) -> None:
    GroupMember.objects.filter(group=group, membership=membership).update(status=GroupMemberStatus.LEFT)
    Booking.objects.filter(session__group=group, membership=membership,
                           session__starts_at__gt=timezone.now()).delete()


@transaction.atomic
def set_role(group: Group, *, actor, membership: Membership, role: str) -> GroupMember:
    """A lead accepts a request or invites someone; coordinators and the host's staff also give or take
    away the facilitator and peer-supporter roles."""
    _require_lead(actor, group)
    if role not in GroupRole.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    _check_member(group, membership)
    place = GroupMember.objects.select_for_update().filter(group=group, membership=membership).first()
    current = place.role if place and place.status != GroupMemberStatus.LEFT else None
    if (role in LEADING_ROLES or current in LEADING_ROLES) and role != current and not may_appoint(actor, group):
        raise ValidationError({"role": _("Only coordinators and the host's staff can make someone a facilitator "
                                         "or peer supporter, or change their role.")})
    if place is None or place.status in (GroupMemberStatus.LEFT, GroupMemberStatus.INVITED):
        return _invite(group, membership, actor=actor, role=role)
    appointed_by = place.appointed_by if role == current else (actor if role in LEADING_ROLES else None)
    place = _set_place(group, membership, role=role, appointed_by=appointed_by)
    record_audit(actor=actor, action=AuditAction.GROUP_ROLE_CHANGED, community=group.community,
                 on_behalf_of=membership.user, subject=group.name, role=role)
    return place


# ---------------------------------------------------------------------------- sessions


def _check_session(group: Group, actor, *, starts_at: datetime.datetime, ends_at: datetime.datetime,
                   capacity: int, place: str, online_link: str) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    _check_not_backdated(group, actor, starts_at)
    if capacity < 1:
        raise ValidationError({"capacity": _("A session needs at least one place.")})
    if not place.strip() and not online_link.strip():
        raise ValidationError({"place": _("Give a place or an online link.")})


def _check_free(group: Group, times: Sequence[tuple[datetime.datetime, datetime.datetime]], *,
                ignore: Sequence[int] = ()) -> None:
    """Each session's register credits its facilitators for its length: two sessions of one group
    at the same time would pay the same hours twice. One query for any number of new times."""
    if not times:
        return
    taken = list(group.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__lt=max(e for _s, e in times),
                                       ends_at__gt=min(s for s, _e in times))
                 .exclude(pk__in=list(ignore)).values_list("starts_at", "ends_at"))
    zone = ledger.community_zone(group.community)
    for start, end in times:
        if any(s < end and e > start for s, e in taken):
            raise ValidationError({"starts_at": _("The group already has a session at that time (%(when)s).") % {
                "when": date_format(timezone.localtime(start, zone), "j F Y, H:i")}})


def _audit_sessions(group: Group, actor, what: str, **detail) -> None:
    record_audit(actor=actor, action=AuditAction.GROUP_SAVED, community=group.community, subject=group.name,
                 sessions=what, **detail)


@transaction.atomic
def add_session(group: Group, *, actor, starts_at: datetime.datetime, ends_at: datetime.datetime,
                capacity: int, place: str = "", online_link: str = "") -> Session:
    _require_lead(actor, group)
    _check_session(group, actor, starts_at=starts_at, ends_at=ends_at, capacity=capacity, place=place,
                   online_link=online_link)
    _check_free(group, [(starts_at, ends_at)])
    session = Session.objects.create(group=group, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                                     place=place.strip(), online_link=online_link.strip())
    _audit_sessions(group, actor, "added", starts_at=starts_at.isoformat())
    return session


@transaction.atomic
def schedule_sessions(group: Group, *, actor, starts_at: datetime.datetime, ends_at: datetime.datetime,
                      capacity: int, place: str = "", online_link: str = "", frequency: str = "",
                      until: datetime.date | None = None, count: int | None = None) -> list[Session]:
    """A session, or a repeating series of them (``frequency``, ending on ``until`` or after
    ``count`` sessions): the rule is kept in a ``SessionSeries`` and each date made a session of
    its own. All or nothing: any problem with any date writes nothing."""
    if not frequency:
        return [add_session(group, actor=actor, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                            place=place, online_link=online_link)]
    _require_lead(actor, group)
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose how often the session repeats.")})
    _check_session(group, actor, starts_at=starts_at, ends_at=ends_at, capacity=capacity, place=place,
                   online_link=online_link)
    zone = ledger.community_zone(group.community)
    first_day = timezone.localtime(starts_at, zone).date()
    if (until is None) == (count is None):
        raise ValidationError({"ends": _("Say when the sessions end: a last date or a number of sessions.")})
    if count is not None and not 2 <= count <= MAX_SERIES_SESSIONS:
        raise ValidationError({"count": _("Choose from 2 to %(max)s sessions.") % {"max": MAX_SERIES_SESSIONS}})
    if until is not None and until < first_day:
        raise ValidationError({"until": _("The last date must be after the first session, %(first)s.")
                               % {"first": date_format(first_day, "j F Y")}})
    starts = recurrence.occurrences(starts_at, frequency, zone, count=count, until=until,
                                    limit=MAX_SERIES_SESSIONS)
    if len(starts) > MAX_SERIES_SESSIONS:
        raise ValidationError({"until": _("That would make more than %(max)s sessions; choose an earlier last "
                                          "date (more can be added later).") % {"max": MAX_SERIES_SESSIONS}})
    if len(starts) < 2:
        raise ValidationError({"until": _("That gives only one session; choose a later last date, or "
                                          "“Does not repeat”.")})
    length = ends_at - starts_at
    _check_free(group, [(start, start + length) for start in starts])
    series = SessionSeries.objects.create(group=group, frequency=frequency, first_starts_at=starts_at,
                                          duration=length, place=place.strip(), online_link=online_link.strip(),
                                          count=len(starts), until=until, created_by=actor)
    sessions = Session.objects.bulk_create([
        Session(group=group, series=series, occurrence=start, starts_at=start, ends_at=start + length,
                capacity=capacity, place=series.place, online_link=series.online_link) for start in starts])
    _audit_sessions(group, actor, "scheduled", frequency=frequency, count=len(starts),
                    starts_at=starts_at.isoformat())
    return sessions


def _check_not_backdated(group: Group, actor, starts_at: datetime.datetime) -> None:
    """A session's register credits people, so only a coordinator enters one older than the
    community allows (paper registers handed in late); nothing starts before the time bank did."""
    community = group.community
    day = timezone.localtime(starts_at, ledger.community_zone(community)).date()
    if day < community.started_on:
        raise ValidationError({"starts_at": _("The session cannot be before the time bank started.")})
    oldest = ledger.community_today(community) - datetime.timedelta(days=community.backdate_days)
    if day < oldest and not ledger.is_coordinator(actor, community):
        raise ValidationError({"starts_at": _(
            "A session can be added at most %(days)s days after it happened; ask a coordinator to add "
            "an older one.") % {"days": community.backdate_days}})


def _locked(session: Session) -> Session:
    return (Session.objects.select_for_update(of=("self",)).select_related("group__community", "series")
            .get(pk=session.pk))


def the_rest(session: Session):
    """This session of a series and its later dates, oldest first (just this one if it has no series)."""
    if session.series_id is None:
        return Session.objects.filter(pk=session.pk)
    return session.series.sessions.filter(occurrence__gte=session.occurrence).order_by("occurrence")


@transaction.atomic
def cancel_session(session: Session, *, actor, rest: bool = False) -> list[Session]:
    """Cancel a session, or (``rest``) it and the later sessions of its series. Sessions whose
    register is taken stay as they are; cancelling only this one when its register is taken is refused."""
    session = _locked(session)
    _require_lead(actor, session.group)
    if session.attendance_recorded_at:
        raise ValidationError(_("Attendance has been recorded for this session."))
    if session.status == SessionStatus.CANCELLED and not rest:
        raise ValidationError(_("This session is already cancelled."))
    sessions = list(the_rest(session).select_for_update().filter(status=SessionStatus.SCHEDULED,
                                                                 attendance_recorded_at__isnull=True)
                    if rest else [session])
    if not sessions:
        raise ValidationError(_("Nothing is left to cancel: the later sessions are cancelled or have their "
                                "register taken."))
    Session.objects.filter(pk__in=[s.pk for s in sessions]).update(status=SessionStatus.CANCELLED)
    _audit_sessions(session.group, actor, "cancelled", count=len(sessions), starts_at=session.starts_at.isoformat())
    return sessions


@transaction.atomic
def change_session(session: Session, *, actor, starts_at: datetime.datetime, ends_at: datetime.datetime,
                   capacity: int, place: str = "", online_link: str = "", rest: bool = False) -> list[Session]:
    """Move or change one session, or (``rest``) it and every later date of its series.

    Changing the rest splits the series, as calendars do for "this and following": the earlier
    dates keep the old rule; this date and the later ones follow a new rule from the new start
    (same number of dates, same step), keeping their bookings; a later date that had been moved on
    its own follows the new rule too. Returns the changed sessions."""
    session = _locked(session)
    group = session.group
    _require_lead(actor, group)
    if session.attendance_recorded_at:
        raise ValidationError(_("Attendance has been recorded for this session; it can no longer be changed."))
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session is cancelled."))
    _check_session(group, actor, starts_at=starts_at, ends_at=ends_at, capacity=capacity, place=place,
                   online_link=online_link)
    place, online_link = place.strip(), online_link.strip()
    changing = [session] if not rest or session.series_id is None else list(the_rest(session).select_for_update())
    # The fullest of the sessions being changed sets how few places they may have.
    booked = (Booking.objects.filter(session__in=changing, status=BookingStatus.BOOKED).values("session")
              .annotate(n=Count("id")).order_by("-n").values_list("n", flat=True).first() or 0)
    if capacity < booked:
        raise ValidationError({"capacity": _("%(n)s people have booked; keep at least that many places.")
                               % {"n": booked}})
    if not rest or session.series_id is None:
        _check_free(group, [(starts_at, ends_at)], ignore=[session.pk])
        session.starts_at, session.ends_at, session.capacity = starts_at, ends_at, capacity
        session.place, session.online_link = place, online_link
        session.save(update_fields=["starts_at", "ends_at", "capacity", "place", "online_link"])
        _audit_sessions(group, actor, "changed", starts_at=starts_at.isoformat())
        return [session]
    old = SessionSeries.objects.select_for_update().get(pk=session.series_id)
    later = changing
    recorded = [s for s in later if s.attendance_recorded_at]
    if recorded:
        raise ValidationError(_("Attendance has been recorded for the session of %(when)s; change the sessions "
                                "before it one at a time.") % {"when": date_format(
                                    timezone.localtime(recorded[0].starts_at, ledger.community_zone(group.community)),
                                    "j F Y")})
    zone = ledger.community_zone(group.community)
    length = ends_at - starts_at
    # Kept on the same day, the later dates keep the day of the month the series means (a series
    # of the 31st changed from its 28 February date on stays on the 31st); moved, they follow the
    # new date's day.
    same_day = timezone.localtime(starts_at, zone).date() == timezone.localtime(session.occurrence, zone).date()
    month_day = (old.month_day or timezone.localtime(old.first_starts_at, zone).day
                 if same_day and old.frequency == Frequency.MONTHLY else None)
    starts = [recurrence.nth(starts_at, old.frequency, i, zone, month_day=month_day) for i in range(len(later))]
    _check_free(group, [(start, start + length) for start in starts], ignore=[s.pk for s in later])
    last = starts[-1]
    new = SessionSeries.objects.create(
        group=group, frequency=old.frequency, first_starts_at=starts_at, duration=length, place=place,
        online_link=online_link, count=len(later), created_by=actor, month_day=month_day,
        until=timezone.localtime(last, zone).date() if old.until else None)
    for item, start in zip(later, starts, strict=True):
        item.series, item.occurrence, item.starts_at, item.ends_at = new, start, start, start + length
        item.capacity, item.place, item.online_link = capacity, place, online_link
    Session.objects.bulk_update(later, ["series", "occurrence", "starts_at", "ends_at", "capacity", "place",
                                        "online_link"])
    kept = old.sessions.order_by("-occurrence").values_list("occurrence", flat=True).first()
    if kept is None:
        old.delete()
    else:
        old.count = old.count - len(later)
        old.until = timezone.localtime(kept, zone).date() if old.until else None
        old.save(update_fields=["count", "until"])
    _audit_sessions(group, actor, "changed", count=len(later), starts_at=starts_at.isoformat())
    return later


@transaction.atomic
def book(session: Session, *, membership: Membership) -> Booking:
    """Book a place, or join the waiting list when the session is full."""
    session = Session.objects.select_for_update(of=("self",)).select_related("group").get(pk=session.pk)
    if active_place(session.group, membership) is None:
        raise ValidationError(_("Join the group first."))
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= timezone.now():
        raise ValidationError(_("This session can no longer be booked."))
    if session.bookings.filter(membership=membership).exists():
        raise ValidationError(_("You are already booked or on the waiting list."))
    booked = session.bookings.filter(status=BookingStatus.BOOKED).count()
    status = BookingStatus.BOOKED if booked < session.capacity else BookingStatus.WAITING
    return Booking.objects.create(session=session, membership=membership, status=status)


@transaction.atomic
def cancel_booking(session: Session, *, membership: Membership) -> None:
    """Give up a place; the first person waiting takes it."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    booking = session.bookings.filter(membership=membership).first()
    if booking is None:
        raise ValidationError(_("You are not booked on this session."))
    was_booked = booking.status == BookingStatus.BOOKED
    booking.delete()
    if was_booked:
        waiting = session.bookings.filter(status=BookingStatus.WAITING).order_by("created_at", "pk").first()
        if waiting is not None:
            waiting.status = BookingStatus.BOOKED
            waiting.save(update_fields=["status"])


def session_minutes(session: Session) -> int:
    """The session's length in whole 15-minute steps, at most one ledger line."""
    minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    return max(MINUTE_STEP, min(MAX_LINE_MINUTES, minutes - minutes % MINUTE_STEP))


@transaction.atomic
def record_attendance(session: Session, *, actor, present: Sequence[Membership], idempotency_key: str):
    """The register: who came. Credits the facilitators (and peer supporters, by the group's rule)
    who were there, each for the session's length, paid by the host. Nothing is written on error."""
    session = Session.objects.select_for_update(of=("self",)).select_related("group__community", "group__organisation").get(
        pk=session.pk)
    group, community = session.group, session.group.community
    _require_lead(actor, group)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled; there is no register to record."))
    if session.attendance_recorded_at:
        raise ValidationError(_("Attendance for this session has already been recorded."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("Record attendance once the session has started."))
    present = list({m.pk: m for m in present}.values())
    if not present:
        raise ValidationError(_("Tick at least one person who came."))
    if len(present) > session.capacity:
        raise ValidationError(_("%(count)s people ticked, but the session has only %(capacity)s places.")
                              % {"count": len(present), "capacity": session.capacity})
    places = {p.membership_id: p for p in GroupMember.objects.active().filter(group=group)}
    strangers = [m.user.name for m in present if m.pk not in places]
    if strangers:
        raise ValidationError(_("Not in this group: %(names)s.") % {"names": ", ".join(strangers)})
    credited_roles = {GroupRole.FACILITATOR}
    if group.credit_rule == CreditRule.WITH_SUPPORTERS:
        credited_roles.add(GroupRole.PEER_SUPPORTER)
    minutes = session_minutes(session)
    givers = [(m, minutes) for m in present if places[m.pk].role in credited_roles]
    transfer = None
    if givers:
        host = group.organisation or ledger.pot_for(community)
        # Roles from before only coordinators and hosts could give them: a coordinator looks first.
        unappointed = [m.user.name for m, _minutes in givers if places[m.pk].appointed_by_id is None]
        transfer = ledger.record_group_exchange(
            community=community, givers=givers, receivers=[host],
            performed_on=timezone.localtime(session.starts_at, ledger.community_zone(community)).date(),
            keyed_by=actor, idempotency_key=idempotency_key,
            description=_("%(group)s session") % {"group": group.name},
            authority=_("leads %(group)s") % {"group": group.name},
            hold_reason=HoldReason.APPOINTMENT if unappointed else "",
            hold_detail=_("No coordinator or host gave %(names)s their role.") % {"names": ", ".join(unappointed)}
            if unappointed else "")
    credited = {m.pk for m, _minutes in givers}
    Attendance.objects.bulk_create([Attendance(session=session, membership=m,
                                               minutes_credited=minutes if m.pk in credited else 0)
                                    for m in present])
    session.attendance_recorded_at = timezone.now()
    session.transfer = transfer
    session.save(update_fields=["attendance_recorded_at", "transfer"])
    record_audit(actor=actor, action=AuditAction.SESSION_ATTENDANCE, community=community, subject=str(session),
                 present=len(present), credited=len(givers))
    return transfer


# ---------------------------------------------------------------------------- calendar tokens


def feed_token(membership: Membership, group: Group | None = None) -> FeedToken:
    """The member's live calendar token (for all their groups, or one group), made on first use."""
    live = FeedToken.objects.filter(membership=membership, group=group, revoked_at__isnull=True)
    token = live.first()
    if token is not None:
        return token
    try:
        with transaction.atomic():
            return FeedToken.objects.create(membership=membership, group=group)
    except IntegrityError:
        return live.get()  # a second tab made it a moment ago: use theirs


@transaction.atomic
def renew_feed_token(membership: Membership, group: Group | None = None) -> FeedToken:
    """Revoke the old private URL (it then answers 404) and make a new one."""
    FeedToken.objects.filter(membership=membership, group=group, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    return FeedToken.objects.create(membership=membership, group=group)


# ---------------------------------------------------------------------------- threads


def _require_in_group(group: Group, membership: Membership | None) -> None:
    if membership is None or active_place(group, membership) is None:
        raise ValidationError(_("Only members of the group can take part in its discussions."))


@transaction.atomic
def start_thread(group: Group, *, membership: Membership | None, title: str, body: str) -> Thread:
    _require_in_group(group, membership)
    if not title.strip() or not body.strip():
        raise ValidationError(_("Give a subject and a message."))
    thread = Thread.objects.create(group=group, title=title.strip(), started_by=membership.user)
    Post.objects.create(thread=thread, author=membership.user, body=body.strip())
    return thread


@transaction.atomic
def reply(thread: Thread, *, membership: Membership | None, body: str) -> Post:
    _require_in_group(thread.group, membership)
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")})
    post = Post.objects.create(thread=thread, author=membership.user, body=body.strip())
    Thread.objects.filter(pk=thread.pk).update(last_post_at=post.created_at)
    return post
