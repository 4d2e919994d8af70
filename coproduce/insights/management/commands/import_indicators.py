from django.core.management.base import BaseCommand, CommandError

from coproduce.communities.models import Community
from coproduce.insights.indicators import IndicatorImportError, import_indicators


class Command(BaseCommand):
    help = "Import area indicators from a CSV file (area_code, indicator, value[, year, source]); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The community's slug.")
        parser.add_argument("file", help="Path to the CSV file.")

    def handle(self, *args, slug, file, **options):
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            raise CommandError(f"No community with slug {slug!r}.")
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"Can't read {file}: {error}") from error
        try:
            count = import_indicators(community, data)
        except IndicatorImportError as error:
            for row_error in error.errors:
                self.stderr.write(str(row_error))
            raise CommandError(f"{len(error.errors)} row error(s); nothing imported.") from error
        self.stdout.write(f"Imported {count} figure(s) into {community.name}.")
