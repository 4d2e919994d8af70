from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coproduce.notifications"
    verbose_name = "Notifications"
