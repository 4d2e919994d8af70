"""The time-credit ledger: accounts, transfers and their entries, in integer minutes.

Only ``coproduce.ledger.services`` writes transfers, entries or balances. Posted rows are
immutable: the ORM refuses to change them here, and on PostgreSQL a trigger (migration
0002) refuses raw UPDATE/DELETE too. A correction is a reversal, never an edit.

Accounts are created lazily by ``services.account_for_membership`` /
``account_for_organisation`` / ``pot_for`` the first time a posting needs them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose

MINUTE_STEP = 15
MAX_LINE_MINUTES = 24 * 60


class AccountKind(models.TextChoices):
    MEMBER = "member", _("member")
    ORGANISATION = "organisation", _("organisation")
    POT = "pot", _("community pot")
    # What this community owes a linked time bank (positive) or is owed by it (negative): the
    # other side of every exchange with that bank's members (``coproduce.federation``).
    CLEARING = "clearing", _("linked time bank")


class Account(models.Model):
    """One account per member per community, per organisation, and one pot per community.

    ``balance`` caches the sum of the account's entries; the service updates it in the
    same transaction as the entries, under a row lock. ``last_exchange_on`` caches the day of
    the account's latest posted exchange (kinds exchange and group) that was not reversed, kept
    the same way, so "who has not exchanged lately" needs no look through the history.

    Limits: member accounts use the community's lowest and highest balance; the pot and
    organisation accounts have a floor (the community's pot and organisation floors) and no
    ceiling. A coordinator's exception for one account overrides either.
    """

    personal_data = PersonalData(
        title=_("Time credit accounts"), about=("membership__user",), purpose=Purpose.LEDGER, basis=Basis.CONTRACT,
        seen_by=Audience.PERSON_AND_COORDINATORS, kept=Kept.LEDGER, free_text=("limit_reason",))

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT,
                                  related_name="ledger_accounts")
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="ledger_accounts")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="ledger_accounts")
    # A clearing account's name (the linked bank's); other accounts are named by their owner.
    name = models.CharField(max_length=200, blank=True, default="")
    balance = models.IntegerField(default=0)
    last_exchange_on = models.DateField(null=True, blank=True, editable=False)
    min_override = models.IntegerField(_("lowest balance (minutes)"), null=True, blank=True)
    max_override = models.IntegerField(_("highest balance (minutes)"), null=True, blank=True)
    limit_reason = models.CharField(_("reason for the exception"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=AccountKind.MEMBER, membership__isnull=False, organisation__isnull=True)
                | Q(kind=AccountKind.ORGANISATION, membership__isnull=True, organisation__isnull=False)
                | Q(kind=AccountKind.POT, membership__isnull=True, organisation__isnull=True)
                # A clearing account's limits are the ones agreed with the other bank, always set.
                | Q(kind=AccountKind.CLEARING, membership__isnull=True, organisation__isnull=True,
                    min_override__isnull=False, max_override__isnull=False),
                name="ledger_account_owner_matches_kind",
            ),
            models.UniqueConstraint(fields=["community"], condition=Q(kind=AccountKind.POT),
                                    name="ledger_one_pot_per_community"),
            models.UniqueConstraint(fields=["membership"], name="ledger_one_account_per_membership"),
            models.UniqueConstraint(fields=["organisation"], name="ledger_one_account_per_organisation"),
            models.CheckConstraint(condition=Q(min_override__isnull=True) | Q(min_override__lte=0),
                                   name="ledger_account_min_override_not_positive"),
            models.CheckConstraint(condition=Q(max_override__isnull=True) | Q(max_override__gte=0),
                                   name="ledger_account_max_override_not_negative"),
            models.CheckConstraint(
                condition=(Q(min_override__isnull=True) & Q(max_override__isnull=True)) | ~Q(limit_reason=""),
                name="ledger_account_exception_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "kind"], name="ledger_account_by_kind"),
            # Counting who has exchanged lately (the coordinators' outreach) reads this index only.
            models.Index(fields=["community", "kind", "last_exchange_on"], name="ledger_account_last_exchange"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.kind == AccountKind.MEMBER:
            return self.membership.user.name
        if self.kind == AccountKind.ORGANISATION:
            return self.organisation.name
        return self.label_of(self.kind, name=self.name)

    @staticmethod
    def label_of(kind: str, *, member_name: str = "", organisation_name: str = "", name: str = "") -> str:
        """``label`` from the names alone, for lists that read them as values (no model per row)."""
        if kind == AccountKind.MEMBER:
            return member_name
        if kind == AccountKind.ORGANISATION:
            return organisation_name
        if kind == AccountKind.CLEARING:
            return name
        return str(_("Community pot"))

    @property
    def community_floor(self) -> int:
        """The community's lowest balance for an account of this kind (before any exception)."""
        return {AccountKind.MEMBER: self.community.min_balance_minutes,
                AccountKind.POT: self.community.pot_floor_minutes,
                AccountKind.ORGANISATION: self.community.organisation_floor_minutes,
                AccountKind.CLEARING: 0}[self.kind]

    @property
    def community_ceiling(self) -> int | None:
        return self.community.max_balance_minutes if self.kind == AccountKind.MEMBER else None

    @property
    def min_limit(self) -> int:
        return self.min_override if self.min_override is not None else self.community_floor

    @property
    def max_limit(self) -> int | None:
        return self.max_override if self.max_override is not None else self.community_ceiling


# The same limits as ``Account.min_limit`` / ``max_limit``, for the plain SQL of the posting path
# and the verifier (``a`` is ledger_account, ``c`` its communities_community).
LOW_LIMIT_SQL = ("COALESCE(a.min_override, CASE a.kind WHEN 'member' THEN c.min_balance_minutes"
                 " WHEN 'pot' THEN c.pot_floor_minutes ELSE c.organisation_floor_minutes END)")
HIGH_LIMIT_SQL = "COALESCE(a.max_override, CASE WHEN a.kind = 'member' THEN c.max_balance_minutes END)"
# ``Account.last_exchange_on`` worked out from the entries, for the account whose id is ``{account}``.
LAST_EXCHANGE_SQL = (
    "SELECT MAX(t.performed_on) FROM ledger_entry e JOIN ledger_transfer t ON t.id = e.transfer_id"
    " WHERE e.account_id = {account} AND t.status = 'posted' AND t.kind IN ('exchange', 'group')"
    " AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.reverses_id = t.id AND r.status = 'posted')")


class TransferKind(models.TextChoices):
    EXCHANGE = "exchange", _("exchange")
    GROUP = "group", _("group exchange")
    GIFT = "gift", _("gift")
    POT_GRANT = "pot_grant", _("grant from the pot")
    REVERSAL = "reversal", _("reversal")
    # An exchange between a member here and a member of a linked time bank: the member's
    # account and the clearing account for that bank (``coproduce.federation``).
    CROSSING = "crossing", _("exchange with a linked time bank")
    # The balance of an erased member's account, moved to or from the pot so that nothing is
    # owed to or by a person who is no longer there (``ledger.services.erasure``). No hours.
    SETTLEMENT = "settlement", _("balance settled when a member was erased")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    HELD = "held", _("waiting for a coordinator's approval")
    POSTED = "posted", _("posted")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", _("expired")


class HoldReason(models.TextChoices):
    """Why a transfer waits for a coordinator's approval (``services.approvals``)."""

    SELF_DEALING = "self_dealing", _("credits from the pot or an organisation to the person who recorded them")
    OVER_CEILING = "over_ceiling", _("more than the community's ceiling for one person in one posting")
    APPOINTMENT = "appointment", _("credits a facilitator or peer supporter no coordinator or host appointed")
    UNCONFIRMED = "unconfirmed", _("the receiver could not confirm it themselves")
    COMMUNITY_TIME = "community_time", _("time an organisation gave the community, paid from the pot")


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger rows are never updated in bulk; post a reversal instead.")

    def delete(self):
        raise TypeError("Ledger rows are never deleted; post a reversal instead.")


class Transfer(models.Model):
    """A movement of minutes between accounts. Entries exist only once it is posted.

    A pending exchange keeps its intended lines in ``proposed`` ([[account_id, minutes]]);
    ``awaiting`` is the account whose owner must confirm it. A held transfer keeps them too,
    until a coordinator other than the person who keyed it approves or declines it.
    """

    personal_data = PersonalData(
        title=_("Exchanges"), about=("entries__account__membership__user",), purpose=Purpose.LEDGER,
        basis=Basis.CONTRACT, seen_by=Audience.PARTIES, kept=Kept.LEDGER,
        names=("keyed_by", "on_behalf_of", "settled_by"),
        free_text=("description", "reason", "hold_detail", "decline_reason"), written_by="keyed_by")

    # Foreign keys without their own index are covered by a composite index or never
    # searched on their own; fewer indexes keep postings (and the bulk path) fast.
    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT,
                                  related_name="transfers", db_index=False)
    kind = models.CharField(max_length=20, choices=TransferKind.choices)
    status = models.CharField(max_length=10, choices=TransferStatus.choices)
    performed_on = models.DateField(_("date"))
    category = models.ForeignKey("communities.Category", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="transfers", verbose_name=_("category"),
                                 db_index=False)
    description = models.CharField(_("description"), max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    keyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 db_index=False)
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", db_index=False)
    idempotency_key = models.CharField(max_length=64)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by")
    proposed = models.JSONField(default=list, blank=True)
    awaiting = models.ForeignKey(Account, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="awaiting_transfers", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", db_index=False)
    # Database defaults too, so the bulk path's COPY can leave them out.
    hold_reason = models.CharField(_("why it waits for approval"), max_length=20, blank=True, default="",
                                   db_default="", choices=HoldReason.choices)
    hold_detail = models.CharField(max_length=500, blank=True, default="", db_default="")
    decline_reason = models.CharField(_("why it was declined"), max_length=500, blank=True, default="",
                                      db_default="")

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "idempotency_key"],
                                    name="ledger_transfer_idempotency_key_unique"),
            models.CheckConstraint(
                condition=Q(status=TransferStatus.POSTED, posted_at__isnull=False)
                | (~Q(status=TransferStatus.POSTED) & Q(posted_at__isnull=True)),
                name="ledger_transfer_posted_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(kind=TransferKind.REVERSAL, reverses__isnull=False)
                | (~Q(kind=TransferKind.REVERSAL) & Q(reverses__isnull=True)),
                name="ledger_transfer_reversal_links_original",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[TransferKind.REVERSAL, TransferKind.POT_GRANT]) | ~Q(reason=""),
                name="ledger_transfer_reversal_and_grant_have_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=TransferStatus.POSTED) | Q(kind=TransferKind.EXCHANGE)
                | ~Q(hold_reason=""),
                name="ledger_transfer_only_exchanges_wait",
            ),
            models.CheckConstraint(
                condition=~Q(status=TransferStatus.HELD) | ~Q(hold_reason=""),
                name="ledger_transfer_held_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "-performed_on"], name="ledger_transfer_search"),
            # The coordinators' ledger search, newest first: a page of 2,000,000 transfers without
            # sorting them (1.2 s before, issue 19).
            models.Index(fields=["community", "-performed_on", "-id"], name="ledger_transfer_newest"),
            models.Index(fields=["created_at"], condition=Q(status=TransferStatus.PENDING),
                         name="ledger_transfer_pending_age"),
            models.Index(fields=["awaiting"], condition=Q(status=TransferStatus.PENDING),
                         name="ledger_transfer_awaiting"),
            # The coordinators' approval queue.
            models.Index(fields=["community", "created_at"], condition=Q(status=TransferStatus.HELD),
                         name="ledger_transfer_held"),
            # The latest posting of a community: when its cached figures went out of date.
            models.Index(fields=["community", "posted_at"], name="ledger_transfer_last_posted"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.performed_on}"

    def save(self, *args, **kwargs):
        # Only a pending or held transfer may change (to held, posted, declined or expired).
        if self.pk is not None and getattr(self, "_loaded_status", None) not in (
                TransferStatus.PENDING, TransferStatus.HELD):
            raise TypeError("A settled transfer is never changed; post a reversal instead.")
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        raise TypeError("Transfers are never deleted; post a reversal instead.")

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def minutes(self) -> int:
        """Total minutes moved: the sum of the positive lines."""
        lines = self.proposed if self.status != TransferStatus.POSTED else [
            (e.account_id, e.amount) for e in self.entries.all()]
        return sum(amount for _account, amount in lines if amount > 0)


class Entry(models.Model):
    """One line of a posted transfer. Positive: the account gains minutes."""

    personal_data = PersonalData(
        title=_("Ledger entries (your statement)"), about=("account__membership__user",), purpose=Purpose.LEDGER,
        basis=Basis.CONTRACT, seen_by=Audience.PERSON_AND_COORDINATORS, kept=Kept.LEDGER)

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries",
                                 db_index=False)  # covered by ledger_entry_one_line_per_account
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries",
                                db_index=False)  # covered by ledger_entry_statement
    amount = models.IntegerField()
    balance_after = models.IntegerField()

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("entries")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero"),
            models.UniqueConstraint(fields=["transfer", "account"], name="ledger_entry_one_line_per_account"),
        ]
        indexes = [models.Index(fields=["account", "-id"], name="ledger_entry_statement")]

    def __str__(self):
        return f"{self.amount:+d} min → account {self.account_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Entries are never changed; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Entries are never deleted; post a reversal instead.")
