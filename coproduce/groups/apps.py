from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "coproduce.groups"
    verbose_name = "Peer-support groups"
