"""The shape of a crossing on the wire, after the Credit Commons protocol's transaction: a UUID,
a state, a workflow, and entries with payer, payee, quant (whole minutes) and description.
Accounts are named by path, "<community>/<member number>", as Credit Commons names them by
node and account. docs/federation.md lists where we differ."""

import datetime
import re
import uuid as uuid_module

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

VERSION = 1
MAX_QUANT = 24 * 60  # one crossing is one line of the ledger: at most 24 hours
# Ours: the payer's bank starts the crossing, and the payee's bank books it without asking the
# payee (they gain). Credit Commons names workflows; this is the only one we run.
WORKFLOW = "coproduce/payer-records"


def account_path(slug: str, member_number: int) -> str:
    return f"{slug}/{member_number}"


def as_message(crossing, *, state: str | None = None) -> dict:
    """The crossing as this bank sends or lists it: payer and payee seen from here."""
    link = crossing.link
    here = account_path(link.community.slug, crossing.member_id or 0)
    there = account_path(link.peer_slug, crossing.their_member)
    payer, payee = (here, there) if crossing.member_pays else (there, here)
    # A refused crossing may name no member of ours (a number that is nobody here).
    name = crossing.member.user.name if crossing.member_id else ""
    return {
        "uuid": str(crossing.uuid), "state": state or crossing.state, "workflow": WORKFLOW, "version": VERSION,
        "entries": [{"payer": payer, "payee": payee, "quant": crossing.minutes,
                     "description": crossing.description,
                     "metadata": {"performed_on": crossing.performed_on.isoformat(),
                                  "payer_name": name if crossing.member_pays else "",
                                  "payee_name": name if not crossing.member_pays else ""}}],
    }


class Incoming:
    """A crossing another bank proposes, read and checked for shape (not yet for our rules)."""

    def __init__(self, uuid, payer_number: int, payee_number: int, minutes: int, description: str,
                 performed_on: datetime.date, payer_name: str):
        self.uuid, self.payer_number, self.payee_number = uuid, payer_number, payee_number
        self.minutes, self.description, self.performed_on, self.payer_name = (
            minutes, description, performed_on, payer_name)


def _number(path, slug: str, field: str) -> int:
    prefix = f"{slug}/"
    if not isinstance(path, str) or not path.startswith(prefix) or not re.fullmatch(r"[0-9]{1,10}", path[len(prefix):]):
        raise ValidationError({field: _("Expected an account path \"%(slug)s/<member number>\".") % {"slug": slug}})
    number = int(path[len(prefix):])
    if not 0 < number < 2**31:
        raise ValidationError({field: _("No such member number.")})
    return number


def read_incoming(data, *, payer_slug: str, payee_slug: str) -> Incoming:
    """Check a proposed crossing's shape: one entry, from a member of the linked bank to a member
    here, a whole number of minutes, a date. ValidationError (field: messages) otherwise."""
    if not isinstance(data, dict):
        raise ValidationError({"detail": _("Send a JSON object.")})
    try:
        uuid = uuid_module.UUID(str(data.get("uuid", "")))
    except ValueError:
        raise ValidationError({"uuid": _("Give the transaction's UUID.")}) from None
    if data.get("state") != "validated" or data.get("workflow") != WORKFLOW:
        raise ValidationError({"state": _("Propose a transaction as state \"validated\" with workflow \"%(w)s\".")
                               % {"w": WORKFLOW}})
    entries = data.get("entries")
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        raise ValidationError({"entries": _("Send exactly one entry.")})
    entry = entries[0]
    quant = entry.get("quant")
    if not isinstance(quant, int) or isinstance(quant, bool) or not 0 < quant <= MAX_QUANT:
        raise ValidationError({"quant": _("Enter a whole number of minutes above zero, at most 24 hours.")})
    description = entry.get("description", "")
    metadata = entry.get("metadata") or {}
    if not isinstance(description, str) or len(description) > 500 or not isinstance(metadata, dict):
        raise ValidationError({"description": _("A description is text of at most 500 characters.")})
    try:
        performed_on = datetime.date.fromisoformat(str(metadata.get("performed_on", "")))
    except ValueError:
        raise ValidationError({"performed_on": _("Give the date it happened (YYYY-MM-DD).")}) from None
    payer_name = metadata.get("payer_name", "")
    if not isinstance(payer_name, str):
        payer_name = ""
    return Incoming(uuid, _number(entry.get("payer"), payer_slug, "payer"),
                    _number(entry.get("payee"), payee_slug, "payee"), quant, description, performed_on,
                    payer_name[:200])
