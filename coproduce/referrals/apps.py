from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "coproduce.referrals"
    verbose_name = "Referrals"
