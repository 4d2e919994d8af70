from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from coproduce.assets.importer import ImportFailed, import_feed, import_file
from coproduce.communities.models import Community


class Command(BaseCommand):
    help = (
        "Import another directory's Open Referral UK (HSDS-UK-3.0) feed, or a file holding one page of it "
        "or a list of services, into a community's directory. All or nothing: on any error nothing is "
        "written. Records changed here since their last import are not overwritten but listed as conflicts."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The feed's base URL (http/https), or a JSON file.")
        parser.add_argument("--community", required=True, help="The community's slug.")
        parser.add_argument(
            "--actor", help="E-mail of the person the records are maintained by (audited)."
        )

    def handle(self, *args, source, community, actor=None, **options):
        target = Community.objects.filter(slug=community).first()
        if target is None:
            raise CommandError(f"No community with slug {community!r}.")
        user = None
        if actor:
            user = get_user_model().objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"No one with e-mail {actor!r}.")
        try:
            if source.startswith(("http://", "https://")):
                report = import_feed(target, source, actor=user)
            else:
                try:
                    with open(source, "rb") as handle:
                        data = handle.read()
                except OSError as error:
                    raise CommandError(f"Can't read {source}: {error}") from error
                report = import_file(target, data, name=source, actor=user)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(failure.errors)} error(s); nothing imported.") from failure
        for label, created, updated, unchanged in report.rows():
            self.stdout.write(
                f"{label}: {created} created, {updated} updated, {unchanged} unchanged"
            )
        for conflict in report.conflicts:
            self.stdout.write(f"Conflict: {conflict}")
        self.stdout.write(
            f"Imported into {target.name} from {source}; {len(report.conflicts)} conflict(s) "
            "left as edited here."
        )
