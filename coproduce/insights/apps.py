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

        from coproduce.members.counts import membership_changed

        # Organisations move area too: figures by area kept until the community's people change
        # (``members.counts``) are stale after it, whoever made the change.
        post_save.connect(membership_changed, sender="partners.Organisation", dispatch_uid="organisation-changed-save")
        post_delete.connect(membership_changed, sender="partners.Organisation",
                            dispatch_uid="organisation-changed-delete")
