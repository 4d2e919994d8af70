from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coproduce.notifications"
    verbose_name = "Notifications"

    def ready(self):
        from coproduce.conversations import hooks as conversations
        from coproduce.ledger import hooks as ledger
        from coproduce.market import hooks as market
        from coproduce.notifications import services

        ledger.observe_after_commit(services.on_ledger_event)
        market.request_posted.connect(services.notify_match_suggestions)
        conversations.message_sent.connect(services.notify_new_message)
