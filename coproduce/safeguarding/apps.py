from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "coproduce.safeguarding"
    verbose_name = "Safeguarding"
