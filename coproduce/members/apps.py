from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "coproduce.members"
    verbose_name = "Members"

    def ready(self):
        from coproduce.accounts.mfa import require_two_factor_when
        from coproduce.members.permissions import coordinates_anywhere

        # Coordinators see and change members' personal data: they log in with a second factor.
        require_two_factor_when(coordinates_anywhere)

        from django.db.models.signals import post_delete, post_save

        from coproduce.members.counts import membership_changed

        # Every save, whoever makes it: kept member counts and figures by area are stale after it.
        post_save.connect(membership_changed, sender="members.Membership", dispatch_uid="people-changed-save")
        post_delete.connect(membership_changed, sender="members.Membership", dispatch_uid="people-changed-delete")
