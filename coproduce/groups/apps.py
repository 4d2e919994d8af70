from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "coproduce.groups"
    verbose_name = "Peer-support groups"

    def ready(self):
        from coproduce.groups.queries import describe_session_transfers
        from coproduce.ledger import hooks
        from coproduce.ledger.models import TransferKind

        # Statement lines of a session's credits name the group and the day.
        hooks.describe_transfers(TransferKind.GROUP, describe_session_transfers)
