"""Words about the ledger that several apps' pages share."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.ledger.models import Account, AccountKind, Transfer, TransferKind, TransferStatus


def credited_message(transfer: Transfer | None, done: str) -> str:
    """What to tell the person who recorded credits: posted, or waiting for a coordinator."""
    if transfer is None:
        return done
    if transfer.status == TransferStatus.HELD:
        return f"{done} " + _("The credits wait for a coordinator's approval: %(why)s") % {
            "why": transfer.hold_detail or transfer.get_hold_reason_display()}
    return f"{done} " + _("Time credited.")


def party_name(kind: str, *, member_name: str = "", organisation_name: str = "", name: str = "") -> str:
    """How a statement names an account, from the names alone (statements read them as values, no
    model per line): the member's name, "Riverside Surgery (organisation)", or "the community pot"."""
    if kind == AccountKind.ORGANISATION:
        return _("%(name)s (organisation)") % {"name": organisation_name}
    if kind == AccountKind.POT:
        return _("the community pot")  # in the middle of a sentence ("From the community pot")
    return Account.label_of(kind, member_name=member_name, name=name)


def other_side(kind: str, amount: int, others: list[str], about: str = "") -> str:
    """Who was on the other side of a statement line, in plain words: "Gave to Joan Green",
    "From the community pot", "Received from 3 people". ``amount`` is this line's; ``others``
    names the transfer's other accounts (``party_name``). ``about`` is what the transfer was for,
    when an app said (``hooks.describe_transfers``): time given there is named by it ("Carers'
    circle, session on 3 March") rather than by the pot or organisation that pays."""
    if about and kind == TransferKind.CROSSING:
        return (_("Gave to %(who)s") if amount > 0 else _("Received from %(who)s")) % {"who": about}
    if about and kind in (TransferKind.EXCHANGE, TransferKind.GROUP) and amount > 0:
        return about
    if not others:
        return about
    who = others[0] if len(others) == 1 else (
        ngettext("%(n)d person", "%(n)d people", len(others)) % {"n": len(others)})
    if about:
        text = _("Received from %(who)s at %(what)s") if amount < 0 else _("From %(who)s at %(what)s")
        return text % {"who": who, "what": about}
    if kind in (TransferKind.EXCHANGE, TransferKind.GROUP, TransferKind.CROSSING):
        # Time given earns credits: a gain means this account gave the help.
        text = _("Gave to %(who)s") if amount > 0 else _("Received from %(who)s")
    else:
        text = _("From %(who)s") if amount > 0 else _("To %(who)s")
    return text % {"who": who}
