from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "coproduce.conversations"
    verbose_name = "Conversations"

    def ready(self):
        from coproduce.conversations.queries import blocked_people, people_who_wrote_about
        from coproduce.market import hooks as market

        # Matching never suggests someone to a person on the other side of a block with them.
        market.exclude_people(blocked_people)
        # A post is marked done with someone who talked with its author about it.
        market.add_post_contacts(people_who_wrote_about)
