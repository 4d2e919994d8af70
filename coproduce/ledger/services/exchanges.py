"""Exchanges between two parties and their life after recording: record, confirm, decline,
settle after the confirmation window; gifts, grants from the pot, and reversals."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import AfterWindow, Category, Community
from coproduce.ledger import hooks
from coproduce.ledger.models import (
    AccountKind,
    HoldReason,
    Transfer,
    TransferKind,
    TransferStatus,
)
from coproduce.ledger.services.accounts import (
    Party,
    _accounts_of,
    _owner_id,
    _owner_user,
    _prefetch,
    account_of,
    pot_for,
)
from coproduce.ledger.services.posting import (
    _Draft,
    _existing,
    _post,
    _post_lines,
    _require_transaction,
)
from coproduce.ledger.services.validation import (
    _check_active,
    _check_category,
    _is_coordinator,
    check_date,
    check_givers_may_help,
    check_minutes,
    community_today,
)


def record_exchange(*, community: Community, giver: Party, receiver: Party, minutes: int,
                    performed_on: datetime.date, keyed_by, idempotency_key: str,
                    category: Category | None = None, description: str = "",
                    authority: str = "", with_transfer=None) -> Transfer:
    """One person helped another: the giver gains ``minutes``, the receiver pays them.

    Keyed by the receiver or a coordinator: posted at once (a coordinator's is audited with
    the member they acted for). Keyed by the giver: pending until the receiver confirms.
    ``authority`` (as in ``record_group_exchange``) posts it at once, audited: for example
    staff of the receiving organisation recording an agency-to-agency exchange.

    ``with_transfer(transfer)``, for an exchange posted at once, runs in the same transaction
    before the accounts are locked where nothing can be held (a caller's own record of it, such as
    a redemption at a venue's till, so the venue's account is locked for less time); the caller
    checks the transfer's status when it returns.
    """
    existing_id, found = _prefetch(community, idempotency_key, [giver, receiver])
    if existing_id is not None:
        return Transfer.objects.get(pk=existing_id)
    check_minutes(minutes)
    check_date(community, performed_on)
    _check_category(community, category)
    giver_account, receiver_account = _accounts_of(community, [giver, receiver], found=found)
    if giver_account.pk == receiver_account.pk:
        raise ValidationError(_("The giver and the receiver must be different."))
    for account in (giver_account, receiver_account):
        _check_active(account)
    check_givers_may_help(community, category, [giver_account])
    giver_uid, receiver_uid = _owner_id(giver_account), _owner_id(receiver_account)
    draft = _Draft(community=community, kind=TransferKind.EXCHANGE,
                   lines={giver_account.pk: minutes, receiver_account.pk: -minutes},
                   keyed_by=keyed_by, idempotency_key=idempotency_key, performed_on=performed_on,
                   category=category, description=description,
                   kinds={giver_account.pk: giver_account.kind, receiver_account.pk: receiver_account.kind})
    if receiver_uid is not None and keyed_by.pk == receiver_uid:
        return _post(draft, then=with_transfer)
    if giver_uid is not None and keyed_by.pk == giver_uid:
        if receiver_uid is None:
            raise ValidationError(_("Ask a coordinator to record help given to an organisation "
                                    "or the pot."))
        receiver = _owner_user(receiver_account)
        if not can_confirm_online(receiver):
            # Nobody could ask them, so nothing may confirm itself on their behalf: a coordinator
            # checks with them (by phone or in person) and approves or declines.
            draft.hold_reason = HoldReason.UNCONFIRMED
            draft.hold_detail = _("%(name)s does not use the website, so a coordinator checks with them.") % {
                "name": receiver.name}
            return _post(draft, status=TransferStatus.PENDING, awaiting=receiver_account)
        return _post(draft, status=TransferStatus.PENDING, awaiting=receiver_account,
                     then=lambda transfer: hooks.after_commit(hooks.Event(
                         hooks.AWAITING_CONFIRMATION, transfer, actor=keyed_by, person=receiver)))
    authority = authority.strip()
    if not authority and not _is_coordinator(keyed_by, community):
        raise ValidationError(_("You can only record exchanges you took part in."))
    draft.on_behalf_of = _owner_user(receiver_account) or _owner_user(giver_account)

    def audited(transfer):
        record_audit(actor=keyed_by, action=AuditAction.EXCHANGE_RECORDED_FOR, community=community,
                     on_behalf_of=draft.on_behalf_of, subject=str(transfer), transfer=transfer.pk, minutes=minutes,
                     **({"authority": authority} if authority else {}))
        if with_transfer is not None:
            with_transfer(transfer)

    return _post(draft, then=audited)


def _pending_for_update(transfer: Transfer) -> Transfer:
    _require_transaction()
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


@transaction.atomic
def confirm_exchange(transfer: Transfer, *, user) -> Transfer:
    """The receiver confirms an exchange the giver recorded: it is posted now."""
    transfer = _pending_for_update(transfer)
    _check_may_settle(transfer, user)
    transfer.settled_by = user
    _post_lines(transfer, dict(transfer.proposed), actor=user, now=timezone.now())
    return transfer


@transaction.atomic
def decline_exchange(transfer: Transfer, *, user) -> Transfer:
    """The receiver says it did not happen (or not like that): nothing is posted."""
    transfer = _pending_for_update(transfer)
    _check_may_settle(transfer, user)
    transfer.status = TransferStatus.DECLINED
    transfer.settled_at = timezone.now()
    transfer.settled_by = user
    transfer.save(update_fields=["status", "settled_at", "settled_by"])
    return transfer


def can_confirm_online(user) -> bool:
    """Whether someone can be asked to confirm an exchange themselves (they have an e-mail and log in)."""
    return user is not None and not user.is_assisted and bool(user.email)


def _check_may_settle(transfer: Transfer, user) -> None:
    # A receiver who was away when the window closed can still settle it from the coordinators' queue.
    waiting = transfer.status == TransferStatus.PENDING or (
        transfer.status == TransferStatus.HELD and transfer.hold_reason == HoldReason.UNCONFIRMED)
    if not waiting:
        raise ValidationError(_("This exchange is no longer waiting for confirmation."))
    awaiting = transfer.awaiting
    if awaiting is None or awaiting.kind != AccountKind.MEMBER or awaiting.membership.user_id != user.pk:
        raise ValidationError(_("Only the person who received the help can confirm or decline it."))


def settle_pending(*, community: Community | None = None, now: datetime.datetime | None = None) -> dict:
    """Apply each community's confirmation window to exchanges still waiting.

    Past the window an exchange is confirmed automatically or expires, per the community's
    setting; one that would now break a limit expires. An exchange is never confirmed for a
    receiver who has not logged in since it was recorded (they may not know of it): it goes to
    the coordinators' approval queue instead. Each settles in its own transaction.
    """
    now = now or timezone.now()
    waiting = Transfer.objects.filter(status=TransferStatus.PENDING).select_related(
        "community", "awaiting__membership__user")
    if community is not None:
        waiting = waiting.filter(community=community)
    counts = {"confirmed": 0, "expired": 0, "held": 0}
    for transfer in waiting.order_by("pk").iterator():
        window = datetime.timedelta(days=transfer.community.confirmation_window_days)
        if transfer.created_at + window > now:
            continue
        with transaction.atomic():
            transfer = _pending_for_update(transfer)
            if transfer.status != TransferStatus.PENDING:
                continue
            outcome = TransferStatus.EXPIRED
            receiver = _owner_user(transfer.awaiting) if transfer.awaiting_id else None
            unseen = receiver is None or receiver.last_login is None or receiver.last_login < transfer.created_at
            if transfer.community.after_confirmation_window == AfterWindow.CONFIRM and unseen:
                transfer.status = TransferStatus.HELD
                transfer.hold_reason = HoldReason.UNCONFIRMED
                transfer.hold_detail = _("%(name)s has not logged in since it was recorded.") % {
                    "name": receiver.name if receiver else _("The receiver")}
                transfer.save(update_fields=["status", "hold_reason", "hold_detail"])
                counts["held"] += 1
                continue
            if transfer.community.after_confirmation_window == AfterWindow.CONFIRM:
                try:
                    with transaction.atomic():
                        _post_lines(transfer, dict(transfer.proposed), actor=transfer.keyed_by, now=now)
                    outcome = TransferStatus.POSTED
                except ValidationError:
                    transfer.status = TransferStatus.PENDING  # the savepoint rolled back
            if outcome == TransferStatus.EXPIRED:
                transfer.status = TransferStatus.EXPIRED
                transfer.settled_at = now
                transfer.save(update_fields=["status", "settled_at"])
            counts["confirmed" if outcome == TransferStatus.POSTED else "expired"] += 1
    return counts


@transaction.atomic
def claim_from_pot(*, community: Community, organisation: Party, minutes: int, performed_on: datetime.date,
                   keyed_by, idempotency_key: str, description: str, authority: str) -> Transfer:
    """An organisation gave its time to the community (a free room for a group, its staff at a
    community event): the pot pays it, once a coordinator approves (another coordinator, when a
    coordinator keyed it). Its staff state their ``authority``, checked by the organisation's
    app and audited here."""
    existing = _existing(community, idempotency_key)
    if existing is not None:
        return existing
    check_minutes(minutes)
    check_date(community, performed_on)
    account = account_of(organisation, community)
    authority = authority.strip()
    if account.kind != AccountKind.ORGANISATION or not authority:
        raise ValidationError(_("Only an organisation's own staff or a coordinator can record its time."))
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Say what your organisation gave, so a coordinator can approve it.")})
    draft = _Draft(community=community, kind=TransferKind.EXCHANGE,
                   lines={account.pk: minutes, pot_for(community).pk: -minutes}, keyed_by=keyed_by,
                   idempotency_key=idempotency_key, performed_on=performed_on, description=description,
                   hold_reason=HoldReason.COMMUNITY_TIME, hold_detail=description)
    return _post(draft, then=lambda transfer: record_audit(
        actor=keyed_by, action=AuditAction.EXCHANGE_RECORDED_FOR, community=community, subject=str(transfer),
        transfer=transfer.pk, minutes=minutes, authority=authority))


@transaction.atomic
def give_credits(*, community: Community, giver: Party, to: Party | None, minutes: int,
                 keyed_by, idempotency_key: str, description: str = "", authority: str = "") -> Transfer:
    """A member gives credits to another member, or to the pot when ``to`` is None. An
    organisation gives its credits only through its staff, who state their ``authority``
    (checked by the organisation's app, audited here): a local business passing credits on to a
    community cause."""
    existing = _existing(community, idempotency_key)
    if existing is not None:
        return existing
    check_minutes(minutes, cap=None)
    giver_account = account_of(giver, community)
    target = pot_for(community) if to is None else account_of(to, community)
    if giver_account.pk == target.pk:
        raise ValidationError(_("The giver and the receiver must be different."))
    owner = _owner_id(giver_account)
    authority = authority.strip()
    if owner is not None and keyed_by.pk != owner:
        raise ValidationError(_("Only members can give their own credits."))
    if owner is None and (giver_account.kind != AccountKind.ORGANISATION or not authority):
        raise ValidationError(_("Only an organisation's own staff can give its credits."))
    transfer = _post(_Draft(community=community, kind=TransferKind.GIFT,
                            lines={giver_account.pk: -minutes, target.pk: minutes}, keyed_by=keyed_by,
                            idempotency_key=idempotency_key, performed_on=community_today(community),
                            description=description))
    if owner is None:
        record_audit(actor=keyed_by, action=AuditAction.EXCHANGE_RECORDED_FOR, community=community,
                     subject=str(transfer), transfer=transfer.pk, minutes=minutes, authority=authority)
    return transfer


@transaction.atomic
def grant_from_pot(*, community: Community, to: Party, minutes: int, reason: str, keyed_by,
                   idempotency_key: str) -> Transfer:
    """A coordinator grants credits from the pot to someone who needs help and cannot give back."""
    existing = _existing(community, idempotency_key)
    if existing is not None:
        return existing
    check_minutes(minutes, cap=None)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the grant.")})
    if not _is_coordinator(keyed_by, community):
        raise ValidationError(_("Only a coordinator can grant credits from the pot."))
    target = account_of(to, community)
    pot = pot_for(community)
    if target.pk == pot.pk:
        raise ValidationError(_("The giver and the receiver must be different."))
    transfer = _post(_Draft(community=community, kind=TransferKind.POT_GRANT,
                            lines={pot.pk: -minutes, target.pk: minutes}, keyed_by=keyed_by,
                            idempotency_key=idempotency_key,
                            performed_on=community_today(community), reason=reason))
    record_audit(actor=keyed_by, action=AuditAction.POT_GRANT, community=community,
                 on_behalf_of=_owner_user(target), subject=str(transfer), transfer=transfer.pk,
                 minutes=minutes, reason=reason.strip())
    return transfer


@transaction.atomic
def reverse_transfer(transfer: Transfer, *, keyed_by, reason: str, idempotency_key: str) -> Transfer:
    """A coordinator's correction: a new transfer mirroring a posted one, linked to it.

    A transfer is reversed at most once and a reversal is not itself reversed (record the
    exchange again instead). Limits apply (see the package docstring).
    """
    community = transfer.community
    existing = _existing(community, idempotency_key)
    if existing is not None:
        return existing
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the reversal.")})
    if not _is_coordinator(keyed_by, community):
        raise ValidationError(_("Only a coordinator can reverse a transfer."))
    original = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if original.status != TransferStatus.POSTED:
        raise ValidationError(_("Only a posted transfer can be reversed."))
    if original.kind == TransferKind.REVERSAL:
        raise ValidationError(_("A reversal cannot be reversed; record the exchange again instead."))
    if original.kind == TransferKind.SETTLEMENT:
        raise ValidationError(_("The settlement of an erased member's balance is not reversed."))
    if original.kind == TransferKind.CROSSING:
        # The other bank booked it too: undoing one side alone would make or lose minutes.
        raise ValidationError(_("An exchange with a linked time bank is undone only when that bank refuses it."))
    if Transfer.objects.filter(reverses=original).exists():
        raise ValidationError(_("This transfer has already been reversed."))
    lines = {e.account_id: -e.amount for e in original.entries.all()}
    reversal = _post(_Draft(community=community, kind=TransferKind.REVERSAL, lines=lines,
                            keyed_by=keyed_by, idempotency_key=idempotency_key,
                            performed_on=community_today(community), reason=reason,
                            category=original.category, description=original.description,
                            reverses=original))
    record_audit(actor=keyed_by, action=AuditAction.TRANSFER_REVERSED, community=community,
                 subject=str(original), transfer=original.pk, reversal=reversal.pk,
                 reason=reason.strip())
    return reversal
