"""Time banks that trade with each other (issue 17, point 4): two Coproduce installations link
by exchanging public keys and agreeing a limit each way; a member here and a member there then
record exchanges that each bank books against its clearing account for the other.

The message shapes follow the Credit Commons protocol where they fit (a transaction has a
UUID, a state and entries with payer, payee, quant and description); docs/federation.md says
where we differ."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose


class Node(models.Model):
    """A community's identity towards linked banks: an Ed25519 key pair. The public key is given
    to the other bank's operator; the private key never leaves this database."""

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, related_name="node")
    private_key = models.CharField(max_length=64)  # raw 32 bytes, base64url
    public_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.community} {self.public_key[:8]}…"


class Link(models.Model):
    """This community's link to one community on another installation."""

    personal_data = NamesPeople(names=("created_by",), purpose=Purpose.FEDERATION)

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="links")
    name = models.CharField(_("name of the linked time bank"), max_length=200)
    # Where the other bank answers, e.g. "https://timebank.hillside.example" (no trailing slash),
    # and its community's slug there.
    peer_url = models.URLField(_("its address"), max_length=300)
    peer_slug = models.SlugField(_("its community's short name"), max_length=60)
    peer_public_key = models.CharField(_("its public key"), max_length=64)
    # A normal ledger account with the limits the two banks agreed (``ledger.services.clearing``).
    account = models.OneToOneField("ledger.Account", on_delete=models.PROTECT, related_name="link")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "peer_public_key"], name="federation_one_link_per_key"),
            models.UniqueConstraint(fields=["community", "peer_url", "peer_slug"],
                                    name="federation_one_link_per_peer"),
        ]

    def __str__(self):
        return self.name


class CrossingState(models.TextChoices):
    # Credit Commons' states, as far as we use them: checked here (not yet booked, never stored
    # as such for long), booked here and waiting for the other bank, booked on both sides, or
    # refused by the other bank (and undone here).
    VALIDATED = "validated", _("checked")
    PENDING = "pending", _("waiting for the other bank")
    COMPLETED = "completed", _("done")
    REFUSED = "refused", _("refused")


class Crossing(models.Model):
    """One exchange between a member here and a member of a linked bank, as this bank sees it.
    Both banks keep a Crossing with the same UUID; ``started_here`` says which one began it."""

    personal_data = PersonalData(
        title=_("Exchanges with linked time banks"), about=("member__user",), purpose=Purpose.FEDERATION,
        basis=Basis.CONTRACT, seen_by=Audience.PARTIES, kept=Kept.LEDGER,
        free_text=("their_name", "description", "reason"))

    uuid = models.UUIDField(default=uuid.uuid4)
    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="crossings")
    state = models.CharField(max_length=10, choices=CrossingState.choices)
    started_here = models.BooleanField()
    # The member here; none only for a refused crossing that named no member of ours.
    member = models.ForeignKey("members.Membership", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="crossings")
    # The member of the other bank: their number there, and the name it gave.
    their_member = models.PositiveIntegerField()
    their_name = models.CharField(max_length=200, blank=True)
    member_pays = models.BooleanField(help_text="True: the member here received the help and pays.")
    minutes = models.PositiveIntegerField()
    performed_on = models.DateField()
    description = models.CharField(max_length=500, blank=True)
    transfer = models.OneToOneField("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="crossing")
    undone_by = models.OneToOneField("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One crossing per UUID on each link (the other bank's repeats find it).
            models.UniqueConstraint(fields=["link", "uuid"], name="federation_crossing_once"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="federation_crossing_minutes_positive"),
            # Booked here whenever it is pending or done; undone whenever a booked one is refused.
            models.CheckConstraint(condition=~Q(state__in=["pending", "completed"]) | Q(transfer__isnull=False),
                                   name="federation_crossing_booked"),
            models.CheckConstraint(condition=Q(state="refused") | Q(member__isnull=False),
                                   name="federation_crossing_has_member"),
        ]
        indexes = [models.Index(fields=["state", "next_try_at"], name="federation_crossing_due")]

    def __str__(self):
        return f"{self.uuid} {self.state}"

    @property
    def member_gains(self) -> int:
        return -self.minutes if self.member_pays else self.minutes
