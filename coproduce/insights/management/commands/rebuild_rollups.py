from django.core.management.base import BaseCommand, CommandError

from coproduce.communities.models import Community
from coproduce.insights.rollups import rebuild


class Command(BaseCommand):
    help = "Recompute the insights monthly roll-ups from the ledger (one community, or all)."

    def add_arguments(self, parser):
        parser.add_argument("--community", help="the community's slug (default: every community)")

    def handle(self, *args, **options):
        community = None
        if options["community"]:
            community = Community.objects.filter(slug=options["community"]).first()
            if community is None:
                raise CommandError(f"No community with slug {options['community']!r}.")
        rows = rebuild(community)
        self.stdout.write(f"Rebuilt {rows} roll-up row(s).")
