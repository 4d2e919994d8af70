from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "coproduce.ledger"
    verbose_name = "Ledger"
