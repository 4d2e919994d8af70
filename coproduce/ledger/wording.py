"""Words about the ledger that several apps' pages share."""

from django.utils.translation import gettext as _

from coproduce.ledger.models import Transfer, TransferStatus


def credited_message(transfer: Transfer | None, done: str) -> str:
    """What to tell the person who recorded credits: posted, or waiting for a coordinator."""
    if transfer is None:
        return done
    if transfer.status == TransferStatus.HELD:
        return f"{done} " + _("The credits wait for a coordinator's approval: %(why)s") % {
            "why": transfer.hold_detail or transfer.get_hold_reason_display()}
    return f"{done} " + _("Time credited.")
