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

        from django.db.models.signals import post_delete, post_save

        from coproduce.insights.figures import areas_moved

        # Admin, services and imports alike: figures by area are stale once anyone moves.
        for model in ("members.Membership", "partners.Organisation"):
            post_save.connect(areas_moved, sender=model, dispatch_uid=f"areas-moved-save-{model}")
            post_delete.connect(areas_moved, sender=model, dispatch_uid=f"areas-moved-delete-{model}")
