"""Spending credits on a listing (a reward): the venue's limits, and the one function that
redeems it, whichever way the member shows up (online, a one-time code, a card and PIN).

``redeem_listing`` locks the listing's row, so redemptions of one listing queue behind each other
and its stock, daily cap and per-member limit hold however many tills confirm at once; the ledger
posts member -> organisation in the same transaction, and a ``Redemption`` row records it. Every
refusal says why.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from coproduce.ledger import services as ledger
from coproduce.ledger.models import TransferStatus
from coproduce.members.models import Membership, MembershipStatus
from coproduce.partners.models import WEEKDAY_NAMES, WEEKDAYS, Listing, Redemption, RedemptionVia
from coproduce.partners.permissions import manager_authority


def _local_now(listing: Listing, now: datetime.datetime | None) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(listing.organisation.community.time_zone)
    return timezone.localtime(now or timezone.now(), zone)


@dataclass(frozen=True)
class Counts:
    """Redemptions so far, by listing id: today's, and this member's this month."""

    today: dict[int, int]
    member_month: dict[int, int]


def counts_for(listings, membership: Membership, *, now: datetime.datetime | None = None) -> Counts:
    """The counts ``refusal`` needs for many listings at once: two queries, however many there are."""
    listings = list(listings)
    if not listings:
        return Counts({}, {})
    today = _local_now(listings[0], now).date()
    ids = [listing.pk for listing in listings]
    by_day = dict(Redemption.objects.filter(listing_id__in=ids, redeemed_on=today)
                  .values_list("listing_id").annotate(n=Count("id")).values_list("listing_id", "n"))
    by_member = dict(Redemption.objects.filter(listing_id__in=ids, membership=membership,
                                               redeemed_on__gte=today.replace(day=1))
                     .values_list("listing_id").annotate(n=Count("id")).values_list("listing_id", "n"))
    return Counts(by_day, by_member)


def refusal(listing: Listing, membership: Membership, *, now: datetime.datetime | None = None,
            counts: Counts | None = None) -> str:
    """Why this member cannot have this listing now ("" when they can), in words for the member
    and the till. Counts are read as they are (or taken from ``counts``, for a page of many);
    ``redeem_listing`` reads them again under the listing's lock."""
    local = _local_now(listing, now)
    if not listing.active:
        return _("%(title)s is no longer offered.") % {"title": listing.title}
    if membership.status != MembershipStatus.ACTIVE or membership.community_id != listing.organisation.community_id:
        return _("Only active members of %(community)s can spend credits here.") % {
            "community": listing.organisation.community.name}
    if listing.available_until and local.date() > listing.available_until:
        return _("This offer ended on %(date)s.") % {"date": listing.available_until.strftime("%d/%m/%Y")}
    if listing.days and WEEKDAYS[local.weekday()] not in listing.days:
        return _("This is offered only on %(days)s.") % {"days": days_words(listing.days)}
    if (listing.opens_at and local.time() < listing.opens_at) or (listing.closes_at and local.time() >= listing.closes_at):
        return _("This is offered only from %(from)s to %(until)s.") % {
            "from": time_format(listing.opens_at or datetime.time(0), "H:i"),
            "until": time_format(listing.closes_at, "H:i") if listing.closes_at else "24:00"}
    if listing.stock is not None and listing.stock <= 0:
        return _("Out of stock: none are left.")
    if listing.daily_cap is None and listing.per_member_per_month is None:
        return ""
    counts = counts or counts_for([listing], membership, now=now)
    if listing.daily_cap is not None and counts.today.get(listing.pk, 0) >= listing.daily_cap:
        return _("Today's limit is reached: try again tomorrow.")
    if (listing.per_member_per_month is not None
            and counts.member_month.get(listing.pk, 0) >= listing.per_member_per_month):
        return _("Limit reached: %(n)s per member per month.") % {"n": listing.per_member_per_month}
    return ""


def days_words(days: list[str]) -> str:
    return ", ".join(str(WEEKDAY_NAMES[day]) for day in WEEKDAYS if day in days)


def _counted(listing: Listing) -> bool:
    return (listing.stock is not None or listing.daily_cap is not None
            or listing.per_member_per_month is not None)


# A savepoint of its own: a caller may catch a refusal and carry on (the demo seeder does).
@transaction.atomic
def redeem_listing(listing: Listing, *, membership: Membership, actor, via: str, idempotency_key: str,
                   authority: str = "", now: datetime.datetime | None = None) -> Redemption:
    """Spend the member's credits on ``listing``: check every limit under the listing's row lock,
    post member -> organisation through the ledger, record the redemption and take one from the
    stock. The same ``idempotency_key`` again returns the first redemption and posts nothing.

    ``actor`` is the member themselves (online), or the venue's staff confirming a code or a
    card, who give their ``authority`` (audited by the ledger)."""
    existing = Redemption.objects.filter(transfer__idempotency_key=idempotency_key,
                                         transfer__community_id=listing.organisation.community_id).first()
    if existing is not None:
        return existing
    return post_redemption(listing, membership=membership, actor=actor, via=via, idempotency_key=idempotency_key,
                           authority=authority, now=now, fresh=False)


def post_redemption(listing: Listing, *, membership: Membership, actor, via: str, idempotency_key: str,
                    authority: str, now: datetime.datetime | None, fresh: bool, then=None) -> Redemption:
    """``redeem_listing``'s work, inside the caller's transaction and without a savepoint, for a
    caller that holds a lock proving this is the first time (a code's row) and lets a refusal end
    its transaction. ``fresh``: the caller read ``listing`` in this same transaction, so a listing
    without limits is not read again (the counter's path at full speed). ``then(redemption)`` runs
    as soon as the redemption is written (the caller's own record of it, such as a code's use)."""
    if via not in RedemptionVia.values:
        raise ValueError(via)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_redemption runs inside a transaction")
    organisation = listing.organisation  # with its community: loaded once by the caller
    # A listing with a stock or a cap is read again under a lock on its row alone, so redemptions
    # of it queue and the limit holds; one without any is used as read, so every till in town
    # works at once (the ledger guards the balances itself).
    if _counted(listing):
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
    elif fresh:
        locked = listing
    else:
        locked = Listing.objects.get(pk=listing.pk)
        if _counted(locked):  # a limit was set since the caller read it
            locked = Listing.objects.select_for_update().get(pk=listing.pk)
    locked.organisation = organisation
    reason = refusal(locked, membership, now=now)
    if reason:
        raise ValidationError(reason)
    community = locked.organisation.community
    on = _local_now(locked, now).date()
    made = []

    def record(transfer):
        # Written with the transfer, before the ledger locks the venue's account (and ``then``,
        # the caller's own step, with it), so the tills at a busy venue queue for less time.
        made.append(Redemption.objects.create(listing=locked, membership=membership, transfer=transfer, via=via,
                                              minutes=locked.minutes, redeemed_on=on, confirmed_by=actor))
        if then is not None:
            then(made[0])

    transfer = ledger.record_exchange(
        community=community, giver=locked.organisation, receiver=membership, minutes=locked.minutes,
        performed_on=on, keyed_by=actor, idempotency_key=idempotency_key,
        description=locked.title, authority=authority, with_transfer=record)
    if transfer.status == TransferStatus.POSTED and not made:
        existing = Redemption.objects.filter(transfer=transfer).first()
        if existing is not None:  # the same key won a race a moment ago (a double submit): this is that spend
            return existing
    if transfer.status != TransferStatus.POSTED or not made:
        # A spend is never left waiting: the member showed their code or card, or spent it online.
        raise ValidationError(_("This could not be paid for at once; ask a coordinator."))
    if locked.stock is not None:
        Listing.objects.filter(pk=locked.pk).update(stock=F("stock") - 1)
    return made[0]


def record_came_back_paying(redemption: Redemption, *, actor, on: datetime.date) -> Redemption:
    """The venue records that this member has since come back as a paying customer (its own
    return on the credits it honours). Its staff and coordinators only; once is enough."""
    manager_authority(actor, redemption.listing.organisation)
    if on < redemption.redeemed_on:
        raise ValidationError(_("They came back after spending their credits, not before."))
    if redemption.came_back_paying_on is None:
        redemption.came_back_paying_on = on
        redemption.save(update_fields=["came_back_paying_on"])
    return redemption
