from django.apps import AppConfig


def describe_opportunity_transfers(transfer_ids):
    """Statement lines of credits for a partner opportunity name it and its organisation
    ("Lunch club helpers with Riverside Surgery"), linked to its page (open to everyone who reads
    the community's statements). One query (``ledger.hooks.describe_transfers``)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from coproduce.ledger.hooks import About
    from coproduce.partners.models import Signup

    found = {}
    for signup in (Signup.objects.filter(transfer_id__in=list(transfer_ids))
                   .select_related("opportunity__organisation__community")):
        opportunity = signup.opportunity
        found[signup.transfer_id] = About(
            _("%(opportunity)s with %(organisation)s") % {"opportunity": opportunity.title,
                                                           "organisation": opportunity.organisation.name},
            reverse("partners:opportunity", args=[opportunity.organisation.community.slug, opportunity.pk]))
    return found


class PartnersConfig(AppConfig):
    name = "coproduce.partners"
    verbose_name = "Partners"

    def ready(self):
        from coproduce.ledger import hooks
        from coproduce.ledger.models import AccountKind, TransferKind
        from coproduce.partners.models import Organisation

        hooks.register_party(Organisation, "organisation", AccountKind.ORGANISATION)
        hooks.describe_transfers(TransferKind.GROUP, describe_opportunity_transfers)
