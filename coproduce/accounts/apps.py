from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coproduce.accounts"
    verbose_name = "Accounts"
