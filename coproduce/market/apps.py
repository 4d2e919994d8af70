from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "coproduce.market"
    verbose_name = "Market"
