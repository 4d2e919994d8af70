from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "coproduce.safeguarding"
    verbose_name = "Safeguarding"

    def ready(self):
        from coproduce.ledger import hooks
        from coproduce.safeguarding.services import CheckedHelpersOnly

        hooks.add_credit_policy(CheckedHelpersOnly())
