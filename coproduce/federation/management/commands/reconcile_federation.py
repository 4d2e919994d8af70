import json

from django.core.management.base import BaseCommand, CommandError

from coproduce.federation import services
from coproduce.federation.models import Link


class Command(BaseCommand):
    help = ("Send the crossings whose next try is due, then compare every active link's crossings and "
            "clearing balance with the other bank's, finish what an interruption left, and print one JSON "
            "line per link. Exit 1 if any link has a difference, or a bank did not answer. Run it on a "
            "schedule (every few minutes) and after a restart.")

    def add_arguments(self, parser):
        parser.add_argument("--community", help="only this community's links (its slug)")

    def handle(self, *args, community=None, **options):
        services.deliver_due()
        links = Link.objects.filter(active=True).select_related("community__node", "account", "created_by")
        if community:
            links = links.filter(community__slug=community)
        problems = 0
        for link in links.order_by("pk"):
            try:
                report = services.reconcile(link)
            except Exception as error:  # one link's trouble must not stop the others' reconciliation
                self.stderr.write(f"{link.community.slug} / {link.name}: {error!r}")
                problems += 1
                continue
            self.stdout.write(json.dumps({
                "community": link.community.slug, "link": link.name, "agrees": report.agrees,
                "crossings": report.crossings, "our_balance": report.our_balance,
                "their_balance": report.their_balance, "completed_here": len(report.completed_here),
                "undone_here": len(report.undone_here), "resent": len(report.resent),
                "received": len(report.received), "still_pending": report.still_pending,
                "differences": report.differences, "unreachable": report.unreachable}))
            problems += not report.agrees
        if problems:
            raise CommandError(f"{problems} link(s) do not agree yet.")
