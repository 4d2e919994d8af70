from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "coproduce.partners"
    verbose_name = "Partners"

    def ready(self):
        from coproduce.ledger import hooks
        from coproduce.ledger.models import AccountKind
        from coproduce.partners.models import Organisation

        hooks.register_party(Organisation, "organisation", AccountKind.ORGANISATION)
