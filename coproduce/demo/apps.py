from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coproduce.demo"
    verbose_name = "Demo"
