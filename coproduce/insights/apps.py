from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "coproduce.insights"
    verbose_name = "Insights"
