from django.apps import AppConfig


class LocalMoneyConfig(AppConfig):
    name = "coproduce.localmoney"
    verbose_name = "The local economy (Local Multiplier 3)"
