from django.core.management.base import BaseCommand

from coproduce.demo.logins import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor code for the demo coordinator and site admin."

    def handle(self, *args, **options):
        import time

        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
        self.stdout.write(f"{code}  (demo secret {DEMO_TOTP_SECRET}; add it to an authenticator app to skip this)")
