from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "coproduce.rewards"
    verbose_name = "Spending credits at local venues"
