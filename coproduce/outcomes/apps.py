from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "coproduce.outcomes"
    verbose_name = "Outcomes"
