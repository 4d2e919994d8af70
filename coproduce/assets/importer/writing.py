"""Writing checked services in one transaction: upserts by HSDS id that keep where each record came
from, never overwrite a local edit (a conflict is reported instead), and write nothing on any error."""

import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.assets.importer.checking import ParsedService, ParsedTerm, _parse_term, check_rows
from coproduce.assets.importer.reading import Fetch, Row, http_fetch, read_feed, read_file
from coproduce.assets.importer.report import Conflict, ImportFailed, ImportReport
from coproduce.assets.models import (
    AssetOrganisation,
    Location,
    Origin,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit


class _Writer:
    """Upserts inside the import's transaction, counting what happened and collecting conflicts."""

    def __init__(self, community, report: ImportReport, actor, now):
        self.community, self.report, self.actor, self.now = community, report, actor, now
        self.errors: list[str] = []

    def _foreign(self, kind: str, obj, owner_id) -> bool:
        if owner_id != self.community.pk:
            self.errors.append(
                _(
                    "%(kind)s %(name)s (id %(id)s) belongs to another community's directory on "
                    "this site; it cannot be imported here."
                )
                % {"kind": kind, "name": obj, "id": obj.pk}
            )
            return True
        return False

    def upsert(self, model, pk, values: dict, *, kind: str, count_as: str | None, existing) -> str:
        """ "created", "updated", "unchanged" or "conflict" (made or changed here: left as it is)."""
        obj = existing.get(pk)
        provenance = {
            "source_url": self.report.source,
            "imported_at": self.now,
            "maintained_by": self.actor,
            "edited_locally": False,
        }
        if obj is None:
            extra = {"origin": Origin.IMPORTED} if model is Service else {}
            model.objects.create(id=pk, community=self.community, **values, **provenance, **extra)
            outcome = "created"
        elif self._foreign(kind, obj, obj.community_id):
            return "conflict"
        else:
            differs = tuple(name for name, value in values.items() if getattr(obj, name) != value)
            if not differs:
                outcome = "unchanged"
            elif obj.edited_locally or obj.imported_at is None:
                self.report.conflicts.append(Conflict(kind, str(pk), str(obj), differs))
                return "conflict"
            else:
                for name, value in {**values, **provenance}.items():
                    setattr(obj, name, value)
                obj.save()
                outcome = "updated"
        if count_as:
            self.report.count(count_as, outcome)
        return outcome

    def check_owners(self, services: list[ParsedService]) -> None:
        """A schedule or a link to a place is upserted by id too: one that belongs to another service
        must not be moved to this one (a feed could otherwise take over someone else's records)."""
        for model, owner_of in (
            (Schedule, {pk: s.id for s in services for pk, _values in s.schedules}),
            (ServiceAtLocation, {pk: s.id for s in services for pk, _loc, _values in s.locations}),
        ):
            for pk, service_id in model.objects.filter(pk__in=owner_of).values_list(
                "pk", "service_id"
            ):
                if service_id != owner_of[pk]:
                    self.errors.append(
                        _(
                            "%(kind)s %(id)s belongs to another service here; it cannot be moved to %(service)s."
                        )
                        % {"kind": model._meta.verbose_name, "id": pk, "service": owner_of[pk]}
                    )

    def taxonomies_and_terms(
        self, services: list[ParsedService], parents: list[ParsedTerm]
    ) -> dict:
        terms = {term.id: term for term in parents}
        for service in services:
            for term in service.terms:
                terms.setdefault(term.id, term)
        by_name = {t.name: t for t in Taxonomy.objects.filter(community=self.community)}
        taxonomy_ids = {t.taxonomy_id for t in terms.values() if t.taxonomy_id}
        known = Taxonomy.objects.in_bulk(taxonomy_ids)
        taxonomy_of = {}
        for term in terms.values():
            taxonomy = (
                known.get(term.taxonomy_id) if term.taxonomy_id else by_name.get(term.taxonomy_name)
            )
            if taxonomy is not None and self._foreign(
                _("taxonomy"), taxonomy, taxonomy.community_id
            ):
                continue
            if taxonomy is None:
                taxonomy = Taxonomy.objects.create(
                    id=term.taxonomy_id or uuid.uuid4(),
                    community=self.community,
                    **term.taxonomy_values,
                )
                known[taxonomy.pk] = by_name[taxonomy.name] = taxonomy
            taxonomy_of[term.id] = taxonomy
        existing = TaxonomyTerm.objects.select_related("taxonomy").in_bulk(list(terms))
        written = {}
        for term_id, term in terms.items():
            if term_id not in taxonomy_of:
                continue
            values = {**term.values, "taxonomy_id": taxonomy_of[term_id].pk}
            obj = existing.get(term_id)
            if obj is None:
                written[term_id] = TaxonomyTerm.objects.create(id=term_id, **values)
                self.report.count("taxonomy_terms", "created")
                continue
            if self._foreign(_("taxonomy term"), obj, obj.taxonomy.community_id):
                continue
            written[term_id] = obj
            differs = tuple(name for name, value in values.items() if getattr(obj, name) != value)
            if not differs:
                self.report.count("taxonomy_terms", "unchanged")
            elif obj.category_id is not None:  # one of the community's own categories: kept here
                self.report.conflicts.append(
                    Conflict(_("taxonomy term"), str(term_id), obj.name, differs)
                )
            else:
                TaxonomyTerm.objects.filter(pk=term_id).update(**values)
                self.report.count("taxonomy_terms", "updated")
        for term_id, term in terms.items():
            obj = written.get(term_id)
            if obj is not None and term.parent_id and obj.category_id is None:
                parent = (
                    term.parent_id
                    if (
                        term.parent_id in written
                        or TaxonomyTerm.objects.filter(
                            pk=term.parent_id, taxonomy__community=self.community
                        ).exists()
                    )
                    else None
                )
                if obj.parent_id != parent:
                    TaxonomyTerm.objects.filter(pk=term_id).update(parent_id=parent)
        return written

    def service(self, parsed: ParsedService, services: dict, terms: dict) -> None:
        """The service and what hangs from it: its places, times and terms (left alone on a conflict)."""
        values = {**parsed.values, "organisation_id": parsed.organisation_id}
        obj = services.get(parsed.id)
        wanted_schedules = dict(parsed.schedules)
        wanted_links = {
            (link_id, location_id) for link_id, location_id, _values in parsed.locations
        }
        wanted_terms = {term.id for term in parsed.terms if term.id in terms}
        nested_differs = ()
        if obj is not None and obj.community_id == self.community.pk:
            schedules = {
                s.pk: {name: getattr(s, name) for name in wanted_schedules.get(s.pk, {})} or None
                for s in obj.schedules.all()
            }
            nested_differs = tuple(
                name
                for name, same in (
                    (
                        _("places"),
                        {(link.pk, link.location_id) for link in obj.at_locations.all()}
                        == wanted_links,
                    ),
                    (_("times"), schedules == wanted_schedules),
                    (_("taxonomy terms"), {t.pk for t in obj.terms.all()} == wanted_terms),
                )
                if not same
            )
        outcome = self.upsert(
            Service, parsed.id, values, kind=_("service"), count_as=None, existing=services
        )
        if outcome == "conflict":
            last = self.report.conflicts[-1] if self.report.conflicts else None
            if nested_differs and last is not None and last.id == str(parsed.id):
                self.report.conflicts[-1] = Conflict(
                    last.kind, last.id, last.name, last.fields + nested_differs
                )
            return
        if outcome == "unchanged" and nested_differs:
            if obj.edited_locally or obj.imported_at is None:
                self.report.conflicts.append(
                    Conflict(_("service"), str(obj.pk), obj.name, nested_differs)
                )
                return
            Service.objects.filter(pk=obj.pk).update(
                source_url=self.report.source, imported_at=self.now, maintained_by=self.actor
            )
            outcome = "updated"
        self.report.count("services", outcome)
        if outcome == "unchanged":
            return
        ServiceAtLocation.objects.filter(service_id=parsed.id).exclude(
            pk__in=[link_id for link_id, _location_id in wanted_links]
        ).delete()
        for link_id, location_id in wanted_links:
            ServiceAtLocation.objects.update_or_create(
                id=link_id, defaults={"service_id": parsed.id, "location_id": location_id}
            )
        Schedule.objects.filter(service_id=parsed.id).exclude(
            pk__in=list(wanted_schedules)
        ).delete()
        for pk, schedule in wanted_schedules.items():
            Schedule.objects.update_or_create(id=pk, defaults={"service_id": parsed.id, **schedule})
        Service.objects.get(pk=parsed.id).terms.set(list(wanted_terms))


def import_rows(
    community,
    rows: list[Row],
    *,
    source: str,
    actor=None,
    pages: int = 0,
    parent_terms: list[dict] | tuple = (),
) -> ImportReport:
    """Check every row, then write them all in one transaction; ``ImportFailed`` and nothing written
    when any row is wrong or belongs to another community."""
    host = urllib.parse.urlsplit(source).hostname or Path(source).name or source
    default_taxonomy = _("Terms from %(source)s") % {"source": host}
    parsed = check_rows(rows, default_taxonomy=default_taxonomy)
    report = ImportReport(source=source[:500], pages=pages)
    try:
        _write(
            community, parsed, parent_terms, report, actor=actor, default_taxonomy=default_taxonomy
        )
    except IntegrityError as error:
        # Another import (or an edit) wrote the same records a moment ago.
        message = _(
            "These records changed while they were being imported; nothing was imported. Try again."
        )
        raise ImportFailed([message]) from error
    return report


def _write(
    community, parsed, parent_terms, report: ImportReport, *, actor, default_taxonomy: str
) -> None:
    now = timezone.now()
    with transaction.atomic():
        writer = _Writer(community, report, actor, now)
        ids = {
            "services": {p.id for p in parsed},
            "organisations": {p.organisation_id for p in parsed},
            "locations": {location_id for p in parsed for _l, location_id, _v in p.locations},
        }
        # Lock what may be updated, in a fixed order, so two imports of one feed cannot interleave.
        organisations = {
            o.pk: o
            for o in AssetOrganisation.objects.select_for_update()
            .filter(pk__in=ids["organisations"])
            .order_by("pk")
        }
        locations = {
            o.pk: o
            for o in Location.objects.select_for_update()
            .filter(pk__in=ids["locations"])
            .order_by("pk")
        }
        services = {
            o.pk: o
            for o in Service.objects.select_for_update()
            .filter(pk__in=ids["services"])
            .order_by("pk")
        }
        terms = writer.taxonomies_and_terms(
            parsed, [_parse_term(t, default_taxonomy) for t in parent_terms]
        )
        seen_organisations, seen_locations = set(), set()
        for service in parsed:
            if service.organisation_id not in seen_organisations:
                seen_organisations.add(service.organisation_id)
                writer.upsert(
                    AssetOrganisation,
                    service.organisation_id,
                    service.organisation,
                    kind=_("organisation"),
                    count_as="organisations",
                    existing=organisations,
                )
            for _link, location_id, values in service.locations:
                if location_id not in seen_locations:
                    seen_locations.add(location_id)
                    writer.upsert(
                        Location,
                        location_id,
                        values,
                        kind=_("place"),
                        count_as="locations",
                        existing=locations,
                    )
        writer.check_owners(parsed)
        if writer.errors:
            raise ImportFailed(writer.errors)
        for service in parsed:
            writer.service(service, services, terms)
        if writer.errors:
            raise ImportFailed(writer.errors)
        record_audit(
            actor=actor,
            action=AuditAction.ASSETS_IMPORTED,
            community=community,
            subject=report.source,
            created=report.total("created"),
            updated=report.total("updated"),
            unchanged=report.total("unchanged"),
            conflicts=len(report.conflicts),
        )


def import_feed(community, base_url: str, *, actor=None, fetch: Fetch = http_fetch) -> ImportReport:
    """Read the feed at ``base_url`` and import it; ``ImportFailed`` (nothing written) on any error."""
    rows, pages, parent_terms = read_feed(base_url, fetch)
    return import_rows(
        community, rows, source=base_url, actor=actor, pages=pages, parent_terms=parent_terms
    )


def import_file(community, data: bytes, *, name: str = "", actor=None) -> ImportReport:
    """Import one page of a feed, or a list of services, from a file."""
    rows, pages = read_file(data, name)
    return import_rows(community, rows, source=name, actor=actor, pages=pages)
