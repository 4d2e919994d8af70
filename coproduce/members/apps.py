from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "coproduce.members"
    verbose_name = "Members"

    def ready(self):
        from coproduce.accounts.mfa import require_two_factor_when
        from coproduce.members.permissions import coordinates_anywhere

        # Coordinators see and change members' personal data: they log in with a second factor.
        require_two_factor_when(coordinates_anywhere)
