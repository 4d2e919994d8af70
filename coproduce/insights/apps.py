from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "coproduce.insights"
    verbose_name = "Insights"

    def ready(self):
        from coproduce.insights import rollups
        from coproduce.ledger import hooks

        # The monthly roll-ups are written in the posting's own transaction, so no figures page
        # ever disagrees with the ledger.
        hooks.observe_postings(rollups.on_posted)
        hooks.observe_bulk_postings(rollups.on_posted_in_bulk)
