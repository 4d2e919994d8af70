from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "coproduce.communities"
    verbose_name = "Communities"
