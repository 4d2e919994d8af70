from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coproduce.communities.models import Community
from coproduce.federation import services


class Command(BaseCommand):
    help = ("Link a community to a community of another Coproduce installation (its operator runs the same "
            "command the other way round). Limits are in minutes.")

    def add_arguments(self, parser):
        parser.add_argument("community", help="this community's short name (slug)")
        parser.add_argument("--name", required=True, help="the other bank's name, as members will see it")
        parser.add_argument("--url", required=True, help="the other installation's address, e.g. https://tb.example")
        parser.add_argument("--peer-slug", required=True, help="its community's short name there")
        # Not "required" to argparse: a key may begin with "-" (write --peer-key=-Ab… on the command line).
        parser.add_argument("--peer-key", help="its public key (its federation_key command); required")
        parser.add_argument("--we-may-owe", type=int, required=True, help="minutes our members may take beyond "
                            "what they gave")
        parser.add_argument("--they-may-owe", type=int, required=True)
        parser.add_argument("--by", required=True, help="the e-mail of the coordinator who agreed the link")

    def handle(self, *args, **options):
        if not options.get("peer_key"):
            raise CommandError("Give the other bank's public key: --peer-key=<key>.")
        community = Community.objects.filter(slug=options["community"]).first()
        if community is None:
            raise CommandError(f"No community {options['community']!r} here.")
        actor = get_user_model().objects.filter(email__iexact=options["by"]).first()
        if actor is None:
            raise CommandError(f"No person with the e-mail {options['by']!r}.")
        try:
            link = services.link_bank(community, name=options["name"], peer_url=options["url"],
                                      peer_slug=options["peer_slug"], peer_public_key=options["peer_key"],
                                      we_may_owe=options["we_may_owe"], they_may_owe=options["they_may_owe"],
                                      actor=actor)
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {' '.join(messages)}"
                                         for field, messages in error.message_dict.items())) from None
        self.stdout.write(f"Linked {community.slug} to {link.name} ({link.peer_url}, {link.peer_slug}).")
