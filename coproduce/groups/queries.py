"""Read-side queries of peer-support groups: whose sessions come next, which registers wait."""

import zoneinfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coproduce.groups.calendar import sessions_for_feed
from coproduce.groups.models import (
    Booking,
    BookingStatus,
    GroupMember,
    GroupMemberStatus,
    Session,
    SessionStatus,
)
from coproduce.ledger.hooks import About


def facilitated_groups(user) -> dict[int, list[int]]:
    """The groups this person facilitates (an active facilitator), as {community id: [group ids]}."""
    found: dict[int, list[int]] = {}
    for group_id, community_id in (GroupMember.objects.facilitators().filter(membership__user=user)
                                   .order_by("group_id").values_list("group_id", "group__community_id")):
        found.setdefault(community_id, []).append(group_id)
    return found


def upcoming_sessions(group_ids) -> QuerySet[Session]:
    """Scheduled sessions of these groups that have not started yet, soonest first, with ``booked``."""
    return (Session.objects.filter(group_id__in=list(group_ids), status=SessionStatus.SCHEDULED,
                                   starts_at__gte=timezone.now())
            .select_related("group")
            .annotate(booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)))
            .order_by("starts_at", "pk"))


def registers_to_take(group_ids) -> QuerySet[Session]:
    """Sessions of these groups that have started, were not cancelled and have no register yet
    (``services.record_attendance`` takes exactly these), oldest first."""
    return (Session.objects.filter(group_id__in=list(group_ids), status=SessionStatus.SCHEDULED,
                                   starts_at__lte=timezone.now(), attendance_recorded_at__isnull=True)
            .select_related("group").order_by("starts_at", "pk"))


def next_sessions_for(membership) -> QuerySet[Session]:
    """The coming sessions of a member's groups (as their calendar feed lists them), soonest first,
    with ``my_booking`` (booked, waiting or None)."""
    mine = Booking.objects.filter(session=OuterRef("pk"), membership=membership).values("status")[:1]
    return (sessions_for_feed(membership=membership)
            .filter(status=SessionStatus.SCHEDULED, starts_at__gte=timezone.now())
            .annotate(my_booking=Subquery(mine)).order_by("starts_at", "pk"))


def invitations(user) -> QuerySet[GroupMember]:
    """Invitations to join a group that wait for this person's answer, in all their communities."""
    return GroupMember.objects.filter(membership__user=user, membership__status="active",
                                      status=GroupMemberStatus.INVITED)


def describe_session_transfers(transfer_ids) -> dict[int, About]:
    """What the ledger's statement says of the credits of a session's register: "Carers' circle,
    session on 3 March", linked to the group's page (open to everyone who reads the community's
    statements). One query for any number of transfers (``ledger.hooks.describe_transfers``)."""
    found = {}
    for session in (Session.objects.filter(transfer_id__in=list(transfer_ids))
                    .select_related("group__community")):
        group = session.group
        day = timezone.localtime(session.starts_at, zoneinfo.ZoneInfo(group.community.time_zone))
        found[session.transfer_id] = About(
            _("%(group)s, session on %(day)s") % {"group": group.name, "day": date_format(day, "j F")},
            reverse("groups:detail", args=[group.community.slug, group.pk]))
    return found
