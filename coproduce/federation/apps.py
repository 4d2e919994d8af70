from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "coproduce.federation"
    label = "federation"
    verbose_name = "Linked time banks"

    def ready(self):
        from coproduce.federation import describe
        from coproduce.ledger import hooks
        from coproduce.ledger.models import TransferKind

        hooks.describe_transfers(TransferKind.CROSSING, describe.crossings)
