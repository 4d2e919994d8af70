"""Daily: erase the people whose communities' retention period has passed since they left, mask
older audit entries, and clear the copies of data past their seven days. ``--dry-run`` lists who
would be erased and changes nothing."""

from django.core.management.base import BaseCommand

from coproduce.privacy import retention, services


class Command(BaseCommand):
    help = "Apply each community's retention period: erase people who left long ago, mask old audit entries."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would be erased; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            due = retention.due_for_erasure()
            for item in due:
                left = "; ".join(f"left {name} on {left_at:%Y-%m-%d} (kept {months} months)"
                                 for name, left_at, months in item.left)
                self.stdout.write(f"would erase user {item.person.pk} ({item.person.name}): {left}")
            self.stdout.write(f"{len(due)} to erase; nothing was changed (dry run).")
            return
        erased, refused, masked = retention.apply()
        for item in erased:
            self.stdout.write(f"erased user {item.person.pk}")
        for item, why in refused:
            self.stderr.write(f"not erased: user {item.person.pk}: {why}")
        cleared = services.clear_expired()
        self.stdout.write(f"{len(erased)} erased, {len(refused)} refused, {masked} audit entries masked, "
                          f"{cleared} copies of data cleared.")
