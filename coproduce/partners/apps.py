from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "coproduce.partners"
    verbose_name = "Partners"
