from django.core.management.base import BaseCommand, CommandError

from coproduce.communities.models import Community
from coproduce.federation import services


class Command(BaseCommand):
    help = "Print a community's public key (made on first use), to give to a bank it links to."

    def add_arguments(self, parser):
        parser.add_argument("community", help="the community's short name (slug)")

    def handle(self, *args, community, **options):
        found = Community.objects.filter(slug=community).first()
        if found is None:
            raise CommandError(f"No community {community!r} here.")
        self.stdout.write(services.node_for(found).public_key)
