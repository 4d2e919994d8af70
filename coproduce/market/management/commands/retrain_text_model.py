"""Rebuild communities' text models (category suggestions) and words (typo tolerance) now.

    python manage.py retrain_text_model [--community SLUG]

The background task (``market.tasks.retrain``) keeps them up to date as people post; run this
after restoring a backup, after a bulk import, or to give a freshly seeded demo its model.
"""

from django.core.management.base import BaseCommand, CommandError

from coproduce.communities.models import Community
from coproduce.market.classifier import train


class Command(BaseCommand):
    help = "Retrain the text model (category suggestions, typo tolerance) of one community or all."

    def add_arguments(self, parser):
        parser.add_argument("--community", help="slug of one community (default: every community)")

    def handle(self, *args, community=None, **options):
        communities = Community.objects.order_by("pk")
        if community:
            communities = communities.filter(slug=community)
            if not communities.exists():
                raise CommandError(f"No community with the slug {community!r}.")
        for each in communities:
            model = train(each)
            self.stdout.write(f"{each.slug}: {model.posts} posts, {model.vocabulary} stems")
