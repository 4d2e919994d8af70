"""Linking banks and moving crossings between them. The ledger's own services book each side
(``ledger.services.clearing``); this module decides when, and keeps both banks' records agreeing.

A crossing's life, for the bank where the paying member records it:

1. ``start_crossing``: checked and booked here in one transaction (the member pays the clearing
   account for the other bank), state "pending"; its delivery is queued when that commits.
2. ``deliver``: the signed proposal goes to the other bank, which books its side (its clearing
   account pays its member) and answers "completed", or refuses with its reasons. Completed:
   done. Refused: undone here by a reversal. No answer (down, slow, a server error): tried again
   later through the task queue, with growing waits; the booking here stands meanwhile.
3. ``reconcile``: compares both banks' crossings and clearing balances, finishes what a crash
   interrupted (resends, or takes the other bank's answer), and reports any difference left.

The other bank's side is ``receive``: idempotent by UUID (a repeat answers as the first did),
and a UUID sent again with different content is refused as a conflict.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.federation import keys, messages, transport
from coproduce.federation.models import Crossing, CrossingState, Link, Node
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Account
from coproduce.members.models import Membership

logger = logging.getLogger(__name__)

RETRY_CAP = 600  # seconds between tries at most


def node_for(community) -> Node:
    """The community's key pair, made on first use."""
    node = Node.objects.filter(community=community).first()
    if node is not None:
        return node
    private, public = keys.new_key_pair()
    try:
        with transaction.atomic():
            return Node.objects.create(community=community, private_key=private, public_key=public)
    except IntegrityError:
        return Node.objects.get(community=community)


@transaction.atomic
def link_bank(community, *, name: str, peer_url: str, peer_slug: str, peer_public_key: str,
              we_may_owe: int, they_may_owe: int, actor) -> Link:
    """Link this community to a community of another installation whose public key its operator
    gave ours. The limits each way become the clearing account's limits."""
    peer_url = peer_url.strip().rstrip("/")
    peer_public_key = peer_public_key.strip()
    errors = {}
    if not peer_url.startswith(("http://", "https://")):
        errors["peer_url"] = [_("Give the other bank's address, starting with https://.")]
    if not keys.is_public_key(peer_public_key):
        errors["peer_public_key"] = [_("That is not a public key: copy it exactly as the other bank shows it.")]
    elif peer_public_key == node_for(community).public_key:
        errors["peer_public_key"] = [_("That is this community's own key.")]
    if Link.objects.filter(community=community, peer_public_key=peer_public_key).exists():
        errors["peer_public_key"] = [_("This community is already linked to the bank with that key.")]
    if errors:
        raise ValidationError(errors)
    account = ledger.open_clearing_account(community, name=name, we_may_owe=we_may_owe, they_may_owe=they_may_owe)
    link = Link.objects.create(community=community, name=name.strip(), peer_url=peer_url, peer_slug=peer_slug,
                               peer_public_key=peer_public_key, account=account, created_by=actor)
    # Linking lets another bank credit this community's members: audited, with the agreed limits.
    record_audit(actor=actor, action=AuditAction.BANK_LINKED, community=community, subject=link.name,
                 peer_url=peer_url, peer_slug=peer_slug, peer_public_key=peer_public_key,
                 we_may_owe=we_may_owe, they_may_owe=they_may_owe)
    return link


def _with_community(link: Link) -> Link:
    # The clearing account's community is the link's: no query for it when booking.
    link.account.community = link.community
    return link


def linked_bank(community, pk) -> Link | None:
    """One of this community's active links, ready to book a crossing with."""
    link = Link.objects.filter(community=community, pk=pk, active=True).select_related("account").only(
        *_LINK_FIELDS).first()
    if link is None:
        return None
    link.community = community
    return _with_community(link)


def find_link(slug: str, public_key: str) -> Link | None:
    """The active link of the community ``slug`` with the bank holding ``public_key``, with what
    a signed request needs (the community and its own key pair) in the same query."""
    link = (Link.objects.filter(community__slug=slug, peer_public_key=public_key, active=True)
            .select_related("account", "community__node").first())
    return None if link is None else _with_community(link)


# What booking and sending a crossing read of its link and account (the hot path reads no more).
_LINK_FIELDS = ("id", "community_id", "name", "peer_url", "peer_slug", "peer_public_key", "active", "created_by_id",
                "account__id", "account__community_id", "account__kind", "account__balance",
                "account__min_override", "account__max_override")


@task()
def deliver_crossing(crossing_id: int, attempt: int | None = None) -> None:
    """In the background, so a member need not wait for the other bank (with the task worker).
    A retry queued for an attempt that another delivery has overtaken does nothing, so there is
    one chain of retries however often the schedule or a reconciliation also sends it."""
    deliver(crossing_id, attempt=attempt)


def _queue_delivery(crossing_id: int, when: datetime.datetime | None = None, attempt: int | None = None) -> None:
    if when is not None:
        if not deliver_crossing.get_backend().supports_defer:
            return  # ``reconcile`` (run by the schedule) picks it up when it is due
        deliver_crossing.using(run_after=when).enqueue(crossing_id, attempt)
        return
    deliver_crossing.enqueue(crossing_id)


def start_crossing(link: Link, *, member: Membership, their_member: int, minutes: int,
                   performed_on: datetime.date, description: str, keyed_by, uuid=None) -> Crossing:
    """A member here received help from a member of the linked bank and pays for it: booked here
    now (or refused here, nothing written), sent to the other bank when the transaction commits."""
    if not link.active:
        raise ValidationError(_("This link is no longer active."))
    if member.community_id != link.community_id or member.user_id != keyed_by.pk:
        raise ValidationError(_("Only the member who received the help can record it."))
    if not isinstance(their_member, int) or not 0 < their_member < 2**31:
        raise ValidationError({"their_member": _("Give the other member's number at %(bank)s.") % {"bank": link.name}})
    try:
        return _start(link, member=member, their_member=their_member, minutes=minutes, performed_on=performed_on,
                      description=description, keyed_by=keyed_by, uuid=uuid)
    except IntegrityError:  # a UUID already here (the same submission again): the first one's crossing
        existing = _own_repeat(link, member, uuid) if uuid is not None else None
        if existing is None:
            raise
        return existing


def _own_repeat(link: Link, member: Membership, uuid) -> Crossing | None:
    """The member's own earlier crossing with this UUID (a repeated submission); another's is a
    conflict, and tells nothing about it."""
    existing = Crossing.objects.filter(link=link, uuid=uuid).first()
    if existing is None:
        return None
    if existing.member_id != member.pk or not existing.started_here:
        raise ValidationError({"uuid": _("A different exchange already has this UUID: send a new one.")})
    return existing


def _start(link: Link, *, member, their_member, minutes, performed_on, description, keyed_by, uuid) -> Crossing:
    with transaction.atomic():
        crossing = Crossing(link=link, state=CrossingState.VALIDATED, started_here=True, member=member,
                            their_member=their_member, member_pays=True, minutes=minutes,
                            performed_on=performed_on, description=description.strip()[:500])
        if uuid is not None:
            crossing.uuid = uuid
        ledger.check_minutes(minutes)
        crossing.save()
        crossing.transfer = ledger.post_crossing(
            clearing=_with_community(link).account, member=member, member_gains=-minutes, performed_on=performed_on,
            description=_("With %(bank)s: %(what)s") % {"bank": link.name, "what": crossing.description}
            if crossing.description else _("With %(bank)s") % {"bank": link.name},
            keyed_by=keyed_by, uuid=crossing.uuid)
        crossing.state, crossing.next_try_at = CrossingState.PENDING, timezone.now()
        crossing.save(update_fields=["transfer", "state", "next_try_at"])
        transaction.on_commit(lambda: _queue_delivery(crossing.pk))
    return crossing


def _load(crossing_id: int) -> Crossing | None:
    """A crossing with what sending it needs: its link, the community's slug and keys, the member's name."""
    return (Crossing.objects.select_related("link__community__node", "member__user")
            .only("id", "uuid", "link_id", "state", "started_here", "member_id", "their_member", "their_name",
                  "member_pays", "minutes", "performed_on", "description", "attempts", "next_try_at", "last_error",
                  "link__name", "link__peer_url", "link__peer_slug", "link__peer_public_key", "link__community_id",
                  "link__community__slug",
                  "link__community__name", "link__community__node__private_key",
                  "link__community__node__public_key", "member__user__name")
            .filter(pk=crossing_id).first())


def deliver(crossing_id: int, *, attempt: int | None = None) -> Crossing | None:
    """Send a pending crossing to the other bank and act on its answer. ``attempt``: the try a
    queued retry was made for; stale ones do nothing."""
    crossing = _load(crossing_id)
    if crossing is None or crossing.state != CrossingState.PENDING or not crossing.started_here:
        return crossing
    if attempt is not None and attempt != crossing.attempts:
        return crossing
    if crossing.next_try_at is None and crossing.last_error:
        return crossing  # refused there but not undone here: waits for a coordinator (``_refused``)
    try:
        answer = transport.send(crossing.link, "POST", "/crossings", messages.as_message(crossing,
                                                                                          state="validated"))
    except transport.Unreachable as error:
        return _try_later(crossing, str(error))
    state = answer.data.get("state")
    if answer.status in (200, 201) and state == CrossingState.COMPLETED:
        return _completed(crossing, answer.data)
    if answer.status == 422 and state == CrossingState.REFUSED:
        return _refused(crossing, _reasons(answer.data))
    return _try_later(crossing, f"HTTP {answer.status}: {_reasons(answer.data)}")


def _reasons(data: dict) -> str:
    errors = data.get("errors")
    if isinstance(errors, dict):
        return " ".join(str(message) for messages_ in errors.values()
                        for message in (messages_ if isinstance(messages_, list) else [messages_]))[:500]
    return str(errors or "")[:500]


def _try_later(crossing: Crossing, error: str) -> Crossing:
    wait = min(2 ** min(crossing.attempts, 10), RETRY_CAP)
    crossing.attempts += 1
    crossing.last_error = error[:500]
    crossing.next_try_at = timezone.now() + datetime.timedelta(seconds=wait)
    if Crossing.objects.filter(pk=crossing.pk, state=CrossingState.PENDING, attempts=crossing.attempts - 1).update(
            attempts=crossing.attempts, last_error=crossing.last_error, next_try_at=crossing.next_try_at):
        _queue_delivery(crossing.pk, crossing.next_try_at, crossing.attempts)
    logger.warning("crossing %s not delivered (try %s): %s", crossing.uuid, crossing.attempts, error)
    return crossing


def _completed(crossing: Crossing, data: dict) -> Crossing:
    their_name = ""
    entries = data.get("entries")
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        metadata = entries[0].get("metadata") or {}
        if isinstance(metadata, dict) and isinstance(metadata.get("payee_name"), str):
            their_name = metadata["payee_name"][:200]
    if Crossing.objects.filter(pk=crossing.pk, state=CrossingState.PENDING).update(
            state=CrossingState.COMPLETED, their_name=their_name or crossing.their_name, last_error="",
            next_try_at=None, updated_at=timezone.now()):
        crossing.state, crossing.their_name = CrossingState.COMPLETED, their_name or crossing.their_name
    else:  # settled meanwhile (a reconciliation, another delivery): as it stands
        crossing.refresh_from_db()
    return crossing


def _refused(crossing: Crossing, reason: str) -> Crossing:
    """The other bank refused: undo the booking here (once), with its reason. If the ledger cannot
    undo it (the member has left, or an account would pass its limit), the crossing stays pending
    with the reason in ``last_error`` and is not tried again: reconciliation reports it until a
    coordinator acts (a limit exception, say), and nothing else waits for it."""
    try:
        with transaction.atomic():
            return _undo(crossing, reason)
    except ValidationError as error:
        problem = _("Refused by %(bank)s, and it could not be undone here: %(why)s") % {
            "bank": crossing.link.name, "why": " ".join(error.messages)}
        Crossing.objects.filter(pk=crossing.pk, state=CrossingState.PENDING).update(
            last_error=problem[:500], next_try_at=None, reason=(reason or "")[:500])
        logger.error("crossing %s: %s", crossing.uuid, problem)
        crossing.refresh_from_db()
        return crossing


def _undo(crossing: Crossing, reason: str) -> Crossing:
    crossing = (Crossing.objects.select_for_update(of=("self",)).select_related("transfer", "link__created_by")
                .get(pk=crossing.pk))
    if crossing.state != CrossingState.PENDING:
        return crossing
    reason = reason or _("Refused by %(bank)s.") % {"bank": crossing.link.name}
    crossing.undone_by = ledger.undo_crossing(crossing.transfer, keyed_by=crossing.transfer.keyed_by,
                                              reason=_("Refused by %(bank)s: %(why)s") % {
                                                  "bank": crossing.link.name, "why": reason})
    crossing.state, crossing.reason, crossing.next_try_at = CrossingState.REFUSED, reason[:500], None
    crossing.save(update_fields=["undone_by", "state", "reason", "next_try_at", "updated_at"])
    return crossing


def _coordinator(link: Link):
    """Who books the other bank's crossings here: the coordinator who agreed the link (its id is
    all the ledger keeps)."""
    from django.contrib.auth import get_user_model

    return get_user_model()(pk=link.created_by_id)


@dataclass
class Received:
    status: int  # 201 booked now, 200 a repeat, 409 a conflicting repeat, 422 refused
    body: dict


def _answer(crossing: Crossing, status: int) -> Received:
    body = messages.as_message(crossing) if crossing.member_id else {"uuid": str(crossing.uuid),
                                                                      "state": crossing.state}
    if crossing.state == CrossingState.REFUSED:
        return Received(422, {**body, "errors": {"detail": [crossing.reason]}})
    return Received(status, body)


def receive(link: Link, data) -> Received:
    """Book a crossing the linked bank proposes: its member paid, ours gains. Malformed input is a
    ValidationError (400, nothing kept); a refusal by our rules is kept, so a repeat gets it again."""
    incoming = messages.read_incoming(data, payer_slug=link.peer_slug, payee_slug=link.community.slug)
    # A repeat is found by the crossing's unique UUID when it is saved (below), not looked up first:
    # one query less on every new crossing, which is nearly all of them.
    member = (Membership.objects.filter(community=link.community, pk=incoming.payee_number)
              .select_related("user").only("id", "community_id", "user__id", "user__name").first())
    crossing = Crossing(link=link, uuid=incoming.uuid, state=CrossingState.VALIDATED, started_here=False,
                        member=member, their_member=incoming.payer_number, their_name=incoming.payer_name,
                        member_pays=False, minutes=incoming.minutes, performed_on=incoming.performed_on,
                        description=incoming.description.strip()[:500])
    try:
        with transaction.atomic():
            if member is None:
                crossing.state = CrossingState.REFUSED
                crossing.reason = _("There is no member number %(n)s at %(bank)s.") % {
                    "n": incoming.payee_number, "bank": link.community.name}
                crossing.save()
                return _answer(crossing, 422)
            crossing.save()
            try:
                with transaction.atomic():
                    crossing.transfer = ledger.post_crossing(
                        clearing=link.account, member=member, member_gains=incoming.minutes,
                        performed_on=incoming.performed_on, keyed_by=_coordinator(link), uuid=incoming.uuid,
                        description=_("With %(bank)s: %(what)s") % {"bank": link.name, "what": crossing.description}
                        if crossing.description else _("With %(bank)s") % {"bank": link.name})
            except ValidationError as error:
                crossing.state, crossing.reason = CrossingState.REFUSED, " ".join(error.messages)[:500]
                crossing.save(update_fields=["state", "reason"])
                return _answer(crossing, 422)
            crossing.state = CrossingState.COMPLETED
            crossing.save(update_fields=["transfer", "state"])
    except IntegrityError:  # sent again (a retry, or twice at once): the first one's answer
        existing = Crossing.objects.filter(link=link, uuid=incoming.uuid).select_related("member__user").first()
        if existing is None:
            raise
        return _repeat(existing, incoming)
    return _answer(crossing, 201)


def _repeat(existing: Crossing, incoming: messages.Incoming) -> Received:
    same = (not existing.started_here and not existing.member_pays and existing.minutes == incoming.minutes
            and existing.their_member == incoming.payer_number
            and (existing.member_id is None or existing.member_id == incoming.payee_number))
    if not same:
        return Received(409, {"uuid": str(incoming.uuid), "errors": {
            "uuid": [_("A different transaction already has this UUID.")]}})
    return _answer(existing, 200)


def listing(link: Link, *, after: int, limit: int = 500) -> dict:
    """This bank's crossings with the link, in order, for the other bank's reconciliation."""
    rows = list(Crossing.objects.filter(link=link, pk__gt=after).select_related("member__user", "link__community")
                .order_by("pk")[:limit])
    return {"crossings": [{**messages.as_message(row), "started_by_you": not row.started_here} for row in rows],
            "clearing_balance": Account.objects.get(pk=link.account_id).balance,
            "next_after": rows[-1].pk if len(rows) == limit else None}


@dataclass
class Reconciliation:
    link: str
    crossings: int = 0
    completed_here: list[str] = field(default_factory=list)  # pending here, done there: finished here
    undone_here: list[str] = field(default_factory=list)  # pending here, refused there: undone here
    resent: list[str] = field(default_factory=list)  # pending here, unknown there: sent again
    received: list[str] = field(default_factory=list)  # pending there, unknown here: booked here
    still_pending: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    our_balance: int = 0
    their_balance: int | None = None
    unreachable: str = ""

    @property
    def agrees(self) -> bool:
        return not self.differences and not self.unreachable and not self.still_pending


def _their_crossings(link: Link) -> tuple[dict[str, dict], int]:
    found, after, balance = {}, 0, 0
    while after is not None:
        answer = transport.send(link, "GET", f"/crossings?after={after}")
        if answer.status != 200:
            raise transport.Unreachable(f"HTTP {answer.status}: {_reasons(answer.data)}")
        for row in answer.data.get("crossings", []):
            found[row["uuid"]] = row
        balance, after = answer.data.get("clearing_balance", 0), answer.data.get("next_after")
    return found, balance


def _booked(state: str) -> bool:
    return state in (CrossingState.PENDING, CrossingState.COMPLETED)


def _mirrors(ours: Crossing, theirs: dict) -> bool:
    entry = (theirs.get("entries") or [{}])[0]
    here = messages.as_message(ours)["entries"][0]
    return entry.get("quant") == here["quant"] and entry.get("payer") == here["payer"] \
        and entry.get("payee") == here["payee"]


def reconcile(link: Link) -> Reconciliation:
    """Compare both banks' crossings and clearing balances; finish what an interruption left."""
    report = Reconciliation(link=link.name)
    try:
        theirs, _balance = _their_crossings(link)
    except transport.Unreachable as error:
        report.unreachable = str(error)
        report.our_balance = Account.objects.get(pk=link.account_id).balance
        return report
    for crossing in Crossing.objects.filter(link=link, state=CrossingState.PENDING, started_here=True):
        other = theirs.get(str(crossing.uuid))
        key = str(crossing.uuid)
        if other is None:
            report.resent.append(key)
            deliver(crossing.pk)
        elif other.get("state") == CrossingState.COMPLETED:
            report.completed_here.append(key)
            _completed(crossing, other)
        elif other.get("state") == CrossingState.REFUSED:
            report.undone_here.append(key)
            _refused(crossing, str((other.get("errors") or {}).get("detail", "")))
    ours = {str(c.uuid): c for c in Crossing.objects.filter(link=link).select_related("member__user",
                                                                                         "link__community")}
    for key, other in theirs.items():
        if key not in ours and other.get("state") == CrossingState.PENDING and other.get("started_by_you") is False:
            report.received.append(key)
            result = receive(link, {**other, "state": "validated"})
            if result.status not in (200, 201):
                report.differences.append(f"{key}: pending at {link.name}, refused here: {result.body.get('errors')}")
    # Read both sides again, after the repairs, and compare.
    theirs, their_balance = _their_crossings(link)
    ours = {str(c.uuid): c for c in Crossing.objects.filter(link=link).select_related("member__user",
                                                                                         "link__community")}
    report.crossings = len(set(ours) | set(theirs))
    for key in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(key), theirs.get(key)
        if mine is not None and mine.state == CrossingState.PENDING:
            report.still_pending.append(key)
        booked_here = mine is not None and _booked(mine.state)
        booked_there = other is not None and _booked(other.get("state", ""))
        if booked_here != booked_there:
            report.differences.append(f"{key}: {mine.state if mine else 'unknown'} here, "
                                      f"{other.get('state') if other else 'unknown'} at {link.name}")
        elif booked_here and not _mirrors(mine, other):
            report.differences.append(f"{key}: the two banks booked different amounts or members")
    report.our_balance = Account.objects.get(pk=link.account_id).balance
    report.their_balance = their_balance
    if report.our_balance != -their_balance:
        report.differences.append(f"clearing balances do not mirror: {report.our_balance} here, "
                                  f"{their_balance} at {link.name}")
    return report


def deliver_due(now: datetime.datetime | None = None) -> int:
    """Send every pending crossing whose next try is due (after a restart, or with a task backend
    that cannot defer). Returns how many were tried."""
    now = now or timezone.now()
    due = list(Crossing.objects.filter(state=CrossingState.PENDING, started_here=True, next_try_at__lte=now)
               .values_list("pk", flat=True))
    for pk in due:
        deliver(pk)
    return len(due)
