from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "coproduce.assets"
    verbose_name = "Community assets"

    def ready(self):
        # Groups, opportunities, listings, partners and categories appear in the directory by
        # themselves; their apps sit lower and must not know about it (see ``sync``).
        from coproduce.assets import sync

        sync.connect()
