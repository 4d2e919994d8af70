from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "coproduce.privacy"
    verbose_name = "Privacy"

    def ready(self):
        from django.core import checks

        from coproduce.privacy.registry import check_declarations

        checks.register(check_declarations)
