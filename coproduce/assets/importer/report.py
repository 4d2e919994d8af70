"""What an import found and did: the failure with every error, conflicts, and the counts."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class ImportFailed(Exception):
    """The feed could not be read, or some of its records are wrong: nothing was imported."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Conflict:
    kind: str  # "service", "organisation", "location", "taxonomy term"
    id: str
    name: str
    fields: tuple[str, ...]

    def __str__(self):
        return _("%(kind)s %(name)s (id %(id)s): changed here, the feed differs in %(fields)s") % {
            "kind": self.kind,
            "name": self.name,
            "id": self.id,
            "fields": ", ".join(self.fields),
        }


KINDS = ("organisations", "services", "locations", "taxonomy_terms")


@dataclass
class ImportReport:
    source: str
    counts: dict = field(
        default_factory=lambda: {
            kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in KINDS
        }
    )
    conflicts: list[Conflict] = field(default_factory=list)
    pages: int = 0

    def count(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(by_outcome[outcome] for by_outcome in self.counts.values())

    def rows(self):
        """(label, created, updated, unchanged) per kind, for the page and the command."""
        labels = {
            "organisations": _("Organisations"),
            "services": _("Services"),
            "locations": _("Places"),
            "taxonomy_terms": _("Taxonomy terms"),
        }
        return [
            (labels[kind], c["created"], c["updated"], c["unchanged"])
            for kind, c in self.counts.items()
        ]
