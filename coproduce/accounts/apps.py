from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coproduce.accounts"
    verbose_name = "Accounts"

    def ready(self):
        from coproduce.accounts import checks  # noqa: F401  (registers the deploy check)
