from django.core.management.base import BaseCommand

from coproduce.notifications import services


class Command(BaseCommand):
    help = "Daily: warn authors of posts lapsing within a week, expire lapsed posts; --digest: weekly digests."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="Also send this week's digests.")

    def handle(self, *args, digest=False, **options):
        notices = services.send_expiry_notices()
        self.stdout.write(f"expiry notices queued: {notices}")
        if digest:
            self.stdout.write(f"digests queued: {services.send_weekly_digests()}")
