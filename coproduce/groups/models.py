import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("open: anyone in the community can join")
    BY_REQUEST = "request", _("by request: a facilitator accepts each person")


class CreditRule(models.TextChoices):
    FACILITATORS = "facilitators", _("facilitators are credited for each session")
    WITH_SUPPORTERS = "supporters", _("facilitators and peer supporters are credited")


class Group(models.Model):
    """A peer-support group hosted by the community (credits from the pot) or a partner (from its account)."""

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="peer_groups")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="peer_groups", verbose_name=_("hosted by"))
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    # The description in other languages (``lib.translated``).
    translations = models.JSONField(default=dict, blank=True)
    join_policy = models.CharField(_("who can join"), max_length=10, choices=JoinPolicy.choices,
                                   default=JoinPolicy.OPEN)
    credit_rule = models.CharField(_("who is credited"), max_length=15, choices=CreditRule.choices,
                                   default=CreditRule.FACILITATORS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="group_name_unique_in_community")]

    def __str__(self):
        return self.name


class GroupRole(models.TextChoices):
    MEMBER = "member", _("member")
    PEER_SUPPORTER = "supporter", _("peer supporter")
    FACILITATOR = "facilitator", _("facilitator")


class GroupMemberStatus(models.TextChoices):
    INVITED = "invited", _("invited")
    REQUESTED = "requested", _("asked to join")
    ACTIVE = "active", _("member")
    LEFT = "left", _("left")


class GroupMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=GroupMemberStatus.ACTIVE, membership__status="active")

    def facilitators(self):
        return self.active().filter(role=GroupRole.FACILITATOR)


class GroupMember(models.Model):
    personal_data = PersonalData(
        title=_("Peer-support groups"), about=("membership__user",), purpose=Purpose.GROUPS, basis=Basis.CONSENT,
        seen_by=Audience.GROUP, kept=Kept.MEMBERSHIP, special=True, names=("invited_by", "appointed_by"))

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="members")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="group_memberships")
    role = models.CharField(_("role"), max_length=15, choices=GroupRole.choices, default=GroupRole.MEMBER)
    status = models.CharField(max_length=10, choices=GroupMemberStatus.choices, default=GroupMemberStatus.ACTIVE)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Who invited them (membership of a health group is only by the person's own yes) and who
    # gave them a facilitator's or peer supporter's role: credits to someone in such a role that
    # no coordinator or host staff gave wait for a coordinator's approval.
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        ordering = ["group", "membership__user__name"]
        constraints = [models.UniqueConstraint(fields=["group", "membership"], name="one_place_per_group")]

    def __str__(self):
        return f"{self.membership} in {self.group}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    CANCELLED = "cancelled", _("cancelled")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("every week")
    FORTNIGHTLY = "fortnightly", _("every other week")
    MONTHLY = "monthly", _("every month")


MAX_SERIES_SESSIONS = 52  # at most a year of weekly sessions is made at once


class SessionSeries(models.Model):
    """The rule of a repeating session ("every other week, 10 times"). Each of its dates is a
    concrete ``Session`` row pointing here, so bookings and registers stay per session.

    The rule runs in the community's local time from ``first_starts_at``: a 6pm session stays at
    6pm when the clocks change. A monthly session on the 29th, 30th or 31st falls on the last
    day of shorter months (RRULE ``BYMONTHDAY=28,..,d;BYSETPOS=-1``) rather than skipping them.
    ``count`` is always the number of dates the rule gives; ``until`` is kept when the person
    chose a last date, so the calendar feed says UNTIL as they did.
    """

    personal_data = NamesPeople(names=("created_by",), purpose=Purpose.GROUPS)

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="series")
    frequency = models.CharField(_("repeats"), max_length=12, choices=Frequency.choices)
    first_starts_at = models.DateTimeField()
    # What each date of the rule is unless one session was changed on its own: the feed sends a
    # session that differs as an override of its date.
    duration = models.DurationField()
    place = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    count = models.PositiveIntegerField()
    until = models.DateField(null=True, blank=True)
    # A monthly rule's day of the month when it is not the first date's own (the later dates of a
    # series of the 31st, split off from 28 February on): see ``recurrence.nth``.
    month_day = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("session series")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1, count__lte=MAX_SERIES_SESSIONS),
                                   name="series_count_bounded"),
            models.CheckConstraint(condition=Q(duration__gt=datetime.timedelta(0)), name="series_has_a_length"),
        ]

    def __str__(self):
        return f"{self.group} {self.get_frequency_display()} from {self.first_starts_at:%Y-%m-%d}"


class Session(models.Model):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="sessions")
    # A session of a series keeps the start its rule gave it (``occurrence``): the calendar feed
    # names a moved or cancelled date by it (RECURRENCE-ID, EXDATE).
    series = models.ForeignKey(SessionSeries, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="sessions")
    occurrence = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), default=12)
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    transfer = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_has_a_place"),
            models.CheckConstraint(condition=Q(series__isnull=True, occurrence__isnull=True)
                                   | Q(series__isnull=False, occurrence__isnull=False),
                                   name="session_occurrence_with_series"),
            models.UniqueConstraint(fields=["series", "occurrence"], name="one_session_per_occurrence"),
        ]

    def __str__(self):
        return f"{self.group} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    WAITING = "waiting", _("on the waiting list")


class Booking(models.Model):
    personal_data = PersonalData(
        title=_("Group sessions you booked"), about=("membership__user",), purpose=Purpose.GROUPS,
        basis=Basis.CONSENT, seen_by=Audience.GROUP, kept=Kept.MEMBERSHIP, special=True)

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="session_bookings")
    status = models.CharField(max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "membership"], name="one_booking_per_session")]

    def __str__(self):
        return f"{self.membership} {self.get_status_display()} for {self.session}"


class Attendance(models.Model):
    """One line of a session's register."""

    personal_data = PersonalData(
        title=_("Group sessions you came to"), about=("membership__user",), purpose=Purpose.GROUPS,
        basis=Basis.CONSENT, seen_by=Audience.GROUP, kept=Kept.MEMBERSHIP, special=True)

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    minutes_credited = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "membership"], name="attended_once")]

    def __str__(self):
        return f"{self.membership} at {self.session}"


def _token() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """A private, revocable calendar URL: one member's feed, or one member's copy of a group's feed."""

    personal_data = PersonalData(
        title=_("Calendar feed links"), about=("membership__user",), purpose=Purpose.GROUPS, basis=Basis.CONTRACT,
        seen_by=Audience.PERSON, kept=Kept.MEMBERSHIP, withheld=("token",))

    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="feed_tokens")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership"], condition=Q(revoked_at__isnull=True, group__isnull=True),
                                    name="one_live_member_feed"),
            models.UniqueConstraint(fields=["membership", "group"],
                                    condition=Q(revoked_at__isnull=True, group__isnull=False),
                                    name="one_live_group_feed"),
        ]

    def __str__(self):
        return f"calendar feed of {self.membership}"


class Thread(models.Model):
    personal_data = PersonalData(
        title=_("Group discussions you started"), about=("started_by",), purpose=Purpose.GROUPS,
        basis=Basis.CONSENT, seen_by=Audience.GROUP, kept=Kept.MEMBERSHIP, special=True, free_text=("title",))

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(_("subject"), max_length=150)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_post_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_post_at", "-pk"]

    def __str__(self):
        return self.title


class Post(models.Model):
    personal_data = PersonalData(
        title=_("What you wrote in group discussions"), about=("author",), purpose=Purpose.GROUPS,
        basis=Basis.CONSENT, seen_by=Audience.GROUP, kept=Kept.MEMBERSHIP, special=True, free_text=("body",))

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} on {self.thread}"

