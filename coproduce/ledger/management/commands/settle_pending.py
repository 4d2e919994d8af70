from django.core.management.base import BaseCommand, CommandError

from coproduce.communities.models import Community
from coproduce.ledger.services import settle_pending


class Command(BaseCommand):
    help = "Confirm or expire exchanges whose confirmation window has passed (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--community", metavar="SLUG")

    def handle(self, *args, community=None, **options):
        scope = None
        if community:
            scope = Community.objects.filter(slug=community).first()
            if scope is None:
                raise CommandError(f"No community with the web address name {community!r}.")
        counts = settle_pending(community=scope)
        self.stdout.write(f"Confirmed {counts['confirmed']}, expired {counts['expired']}, "
                          f"held for a coordinator {counts['held']}.")
