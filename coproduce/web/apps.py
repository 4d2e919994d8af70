from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "coproduce.web"
    verbose_name = "Web pages"
