import sys
import time

from django.core.management.base import BaseCommand, CommandError

from coproduce.communities.models import Community
from coproduce.ledger.queries import check_ledger


class Command(BaseCommand):
    help = ("Check every ledger invariant: transfers sum to zero, cached balances match their "
            "entries, each community sums to zero, no balance past its limit. Exit 1 on any problem.")

    def add_arguments(self, parser):
        parser.add_argument("--community", metavar="SLUG", help="check one community only")

    def handle(self, *args, community=None, **options):
        scope = None
        if community:
            scope = Community.objects.filter(slug=community).first()
            if scope is None:
                raise CommandError(f"No community with the web address name {community!r}.")
        started = time.perf_counter()
        counts, problems = check_ledger(scope)
        elapsed = time.perf_counter() - started
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            self.stderr.write(f"Ledger NOT sound: {len(problems)} problem(s) in {counts['transfers']:,} "
                              f"transfers and {counts['accounts']:,} accounts.")
            sys.exit(1)
        self.stdout.write(f"Ledger sound: {counts['transfers']:,} transfers, {counts['accounts']:,} "
                          f"accounts checked in {elapsed:.2f} s.")
