from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose

MESSAGE_MAX = 2000


class Conversation(models.Model):
    """Private messages between two members, usually about an offer or request."""

    personal_data = PersonalData(
        title=_("Conversations"), about=("participants__user",), purpose=Purpose.MESSAGES, basis=Basis.CONTRACT,
        seen_by=Audience.PARTIES, kept=Kept.MEMBERSHIP, names=("introduced_by",))

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="conversations")
    post = models.ForeignKey("market.Post", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="conversations")
    introduced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", help_text=_("The coordinator who introduced the two people."))
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-id"]

    def __str__(self):
        return f"conversation {self.pk}"


class Participant(models.Model):
    personal_data = PersonalData(
        title=_("Your place in conversations"), about=("user",), purpose=Purpose.MESSAGES, basis=Basis.CONTRACT,
        seen_by=Audience.PARTIES, kept=Kept.MEMBERSHIP)

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversation_seats")
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="one_seat_per_person")]
        indexes = [models.Index(fields=["user", "conversation"], name="participant_by_user")]

    def __str__(self):
        return f"{self.user} in conversation {self.conversation_id}"


class Message(models.Model):
    personal_data = PersonalData(
        title=_("Messages sent and received"), about=("sender", "conversation__participants__user"),
        purpose=Purpose.MESSAGES, basis=Basis.CONTRACT, seen_by=Audience.PARTIES, kept=Kept.MEMBERSHIP,
        free_text=("body",),
        written_by="sender")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=MESSAGE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="message_not_empty")]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_in_conversation")]

    def __str__(self):
        return f"message {self.pk} in conversation {self.conversation_id}"


class Block(models.Model):
    """The blocker no longer receives messages from the blocked person, anywhere."""

    personal_data = PersonalData(
        title=_("People you blocked"), about=("blocker",), purpose=Purpose.MESSAGES,
        basis=Basis.LEGITIMATE_INTERESTS, seen_by=Audience.PERSON, kept=Kept.MEMBERSHIP, names=("blocked",))

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="block_not_self"),
        ]

    def __str__(self):
        return f"{self.blocker} blocked {self.blocked}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("waiting for a coordinator")
    RESOLVED = "resolved", _("dealt with")


class Report(models.Model):
    """A member's report of a message or a member; the only way a coordinator sees a conversation."""

    personal_data = PersonalData(
        title=_("Reports you made"), about=("reporter",), purpose=Purpose.SAFEGUARDING,
        basis=Basis.LEGITIMATE_INTERESTS, seen_by=Audience.COORDINATORS, kept=Kept.MEMBERSHIP,
        names=("reported", "resolved_by"), free_text=("reason", "resolution"))

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="reports")
    reason = models.TextField(_("what happened"), max_length=2000)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("what was done"), max_length=2000, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="report_has_reason")]
        indexes = [models.Index(fields=["community", "status", "created_at"], name="report_queue")]

    def __str__(self):
        return f"report {self.pk} about {self.reported}"
