"""How a statement names a crossing's other side: the member of the linked bank, and the bank."""

from django.utils.translation import gettext as _

from coproduce.ledger.hooks import About


def crossings(transfer_ids) -> dict:
    from coproduce.federation.models import Crossing

    found = {}
    for transfer_id, their_name, number, bank in (Crossing.objects.filter(transfer_id__in=transfer_ids)
                                                  .values_list("transfer_id", "their_name", "their_member",
                                                               "link__name")):
        who = their_name or _("member %(n)s") % {"n": number}
        found[transfer_id] = About(_("%(who)s at %(bank)s") % {"who": who, "bank": bank})
    return found
