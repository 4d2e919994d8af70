from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "coproduce.members"
    verbose_name = "Members"
