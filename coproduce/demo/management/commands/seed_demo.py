import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from coproduce.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG
from coproduce.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Load the demo community (idempotent: an existing demo community is reused)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300, help="members to create (default 300)")
        parser.add_argument("--months", type=int, default=24, help="months of history (default 24)")
        parser.add_argument("--seed", type=int, default=1, help="random seed, for repeatable data")
        parser.add_argument("--exchanges", type=int, default=0,
                            help="exchanges of history to generate through the ledger's bulk path")

    def handle(self, *args, members, months, seed, exchanges, **options):
        if members < 0 or months < 1 or exchanges < 0:
            raise CommandError("--members and --exchanges must be 0 or more, and --months at least 1.")
        started = time.perf_counter()
        # The services send welcome e-mails; demo people have no real inboxes.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            result = seed_demo(members=members, months=months, seed=seed, exchanges=exchanges,
                               stdout=self.stdout)
        elapsed = time.perf_counter() - started
        if result.created:
            self.stdout.write(self.style.SUCCESS(
                f"Built the demo community “{result.community.name}” with {result.members:,} members "
                f"in {elapsed:.1f} s."))
        else:
            self.stdout.write(f"The demo community “{result.community.name}” is already loaded "
                              f"({result.members:,} members); reusing it.")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for role, email in DEMO_LOGINS.items():
            self.stdout.write(f"  {role:14} {email}")
        self.stdout.write(
            "The coordinator and site admin use two-factor authentication: get the current code with\n"
            "  .venv/bin/python manage.py demo_totp\n"
            f"Community page: {settings.SITE_URL}/c/{DEMO_SLUG}/")
