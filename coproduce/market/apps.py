from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "coproduce.market"
    verbose_name = "Market"

    def ready(self):
        from coproduce.communities import hooks as communities
        from coproduce.ledger import hooks
        from coproduce.market.concepts import install_default_vocabulary
        from coproduce.market.services import on_ledger_event

        hooks.observe_after_commit(on_ledger_event)
        communities.community_created.connect(install_default_vocabulary)
