"""Mirror what other apps keep into the directory, so nobody types it twice.

Peer-support groups, partner opportunities and spend-credit listings become services (``origin``
and ``origin_id`` say which); partner organisations become directory organisations; a community's
categories become its taxonomy. The lower apps know nothing of this: ``AssetsConfig.ready``
connects the model signals below, and each handler rewrites the mirror from the source row, so
running one twice changes nothing. Mirrored services are edited where they live.
"""

from zoneinfo import ZoneInfo

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext

from coproduce.assets.models import (
    AssetOrganisation,
    Cost,
    Frequency,
    Location,
    Origin,
    Schedule,
    Service,
    Taxonomy,
    TaxonomyTerm,
)
from coproduce.communities.hooks import community_created
from coproduce.communities.models import Category, Community
from coproduce.groups.models import Group, SessionSeries
from coproduce.partners.models import Listing, Opportunity, OpportunityStatus, Organisation

CATEGORIES_TAXONOMY = (
    "categories"  # Taxonomy.version marking the one made from a community's categories
)


# ------------------------------------------------------------------------------ organisations and taxonomy


def organisation_for_partner(partner: Organisation) -> AssetOrganisation:
    """The directory organisation of a partner, made or brought up to date from the partner's details."""
    values = {
        "community_id": partner.community_id,
        "name": partner.name,
        "description": partner.description,
        "email": partner.contact_email,
        "phone": partner.contact_phone,
        "last_checked_on": timezone.localdate(),
    }
    organisation, _created = AssetOrganisation.objects.update_or_create(
        partner=partner, defaults=values
    )
    return organisation


def organisation_for_community(community: Community) -> AssetOrganisation:
    """The community itself, as the organisation that runs the groups it hosts."""
    organisation = (
        AssetOrganisation.objects.filter(
            community=community, partner__isnull=True, name=community.name
        )
        .order_by("created_at")
        .first()
    )
    if organisation is None:
        organisation = AssetOrganisation.objects.create(
            community=community,
            name=community.name,
            email=community.contact_email,
            description=community.description,
            last_checked_on=timezone.localdate(),
        )
    return organisation


def categories_taxonomy(community: Community) -> Taxonomy:
    taxonomy = Taxonomy.objects.filter(community=community, version=CATEGORIES_TAXONOMY).first()
    if taxonomy is None:
        taxonomy = Taxonomy.objects.create(
            community=community,
            name=community.name,
            version=CATEGORIES_TAXONOMY,
            description="The community's own categories.",
        )
    return taxonomy


def term_for_category(category: Category) -> TaxonomyTerm:
    """The taxonomy term of a category (its parent's first), kept in step with its name."""
    parent = term_for_category(category.parent) if category.parent_id else None
    term, _created = TaxonomyTerm.objects.update_or_create(
        category=category,
        defaults={
            "taxonomy": categories_taxonomy(category.community),
            "name": category.name,
            "code": str(category.pk),
            "parent": parent,
        },
    )
    return term


def sync_categories(community: Community) -> None:
    """One term per category of the community, in a few bulk queries (a new community has ~30)."""
    taxonomy = categories_taxonomy(community)
    terms = {
        term.category_id: term
        for term in TaxonomyTerm.objects.filter(category__community=community)
    }
    waiting = [
        category
        for category in Category.objects.filter(community=community)
        if category.pk not in terms
    ]
    while waiting:  # parents before their children
        ready = [c for c in waiting if c.parent_id is None or c.parent_id in terms]
        if not ready:
            break
        made = TaxonomyTerm.objects.bulk_create(
            TaxonomyTerm(
                taxonomy=taxonomy,
                category=c,
                name=c.name,
                code=str(c.pk),
                parent=terms.get(c.parent_id),
            )
            for c in ready
        )
        terms.update((term.category_id, term) for term in made)
        waiting = [c for c in waiting if c.pk not in terms]


# ------------------------------------------------------------------------------ services


def _mirror(
    origin: str, origin_id: int, *, organisation: AssetOrganisation, active: bool, **values
) -> Service:
    values = {
        "organisation": organisation,
        "community_id": organisation.community_id,
        "active": active,
        "last_checked_on": timezone.localdate(),
        **values,
    }
    service, _created = Service.objects.update_or_create(
        origin=origin, origin_id=origin_id, defaults=values
    )
    return service


def _forget(origin: str, origin_id: int) -> None:
    Service.objects.filter(origin=origin, origin_id=origin_id).delete()


def sync_group(group: Group) -> Service:
    organisation = (
        organisation_for_partner(group.organisation)
        if group.organisation_id
        else organisation_for_community(group.community)
    )
    service = _mirror(
        Origin.GROUP,
        group.pk,
        organisation=organisation,
        active=True,
        name=group.name,
        description=group.description,
        cost=Cost.FREE,
    )
    _sync_group_schedules(group, service)
    return service


_ISO_DAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _sync_group_schedules(group: Group, service: Service) -> None:
    """Weekly and monthly session series become the service's schedules, in the community's time."""
    service.schedules.all().delete()
    zone = ZoneInfo(group.community.time_zone)
    for series in SessionSeries.objects.filter(group=group):
        starts = series.first_starts_at.astimezone(zone)
        ends = (series.first_starts_at + series.duration).astimezone(zone)
        freq = Frequency.MONTHLY if "month" in series.frequency.lower() else Frequency.WEEKLY
        closes = (
            ends.time() if ends.date() == starts.date() and ends.time() > starts.time() else None
        )
        Schedule.objects.create(
            service=service,
            freq=freq,
            byday=_ISO_DAY[starts.weekday()],
            opens_at=starts.time(),
            closes_at=closes,
            valid_from=starts.date(),
            valid_to=series.until,
            description=series.get_frequency_display(),
        )


def sync_opportunity(opportunity: Opportunity) -> Service:
    service = _mirror(
        Origin.OPPORTUNITY,
        opportunity.pk,
        organisation=organisation_for_partner(opportunity.organisation),
        active=opportunity.status == OpportunityStatus.OPEN
        and (opportunity.ends_on or opportunity.starts_on) >= timezone.localdate(),
        name=opportunity.title,
        description=opportunity.description,
        cost=Cost.FREE,
    )
    service.schedules.all().delete()
    Schedule.objects.create(
        service=service,
        valid_from=opportunity.starts_on,
        valid_to=opportunity.ends_on or opportunity.starts_on,
        description=opportunity.times[:300],
    )
    return service


def sync_listing(listing: Listing) -> Service:
    """A venue's reward in the directory: at the venue's own places (so it is on the map where
    the venue is), open on the listing's days and times."""
    organisation = organisation_for_partner(listing.organisation)
    service = _mirror(
        Origin.LISTING,
        listing.pk,
        organisation=organisation,
        active=listing.active,
        name=listing.title,
        description=listing.description,
        cost=Cost.TIME_CREDITS,
        credits_minutes=listing.minutes,
    )
    service.locations.set(Location.objects.filter(organisation=organisation))
    service.schedules.all().delete()
    if listing.days or listing.opens_at or listing.closes_at or listing.available_until:
        Schedule.objects.create(
            service=service,
            freq=Frequency.WEEKLY if listing.days else "",
            byday=",".join(listing.days),
            opens_at=listing.opens_at,
            closes_at=listing.closes_at,
            valid_to=listing.available_until,
        )
    return service


def sync_venue(partner: Organisation) -> Service:
    """A venue's own entry (its opening times are set in ``venues``), brought up to date from the
    partner's name and description."""
    return _mirror(Origin.VENUE, partner.pk, organisation=organisation_for_partner(partner), active=True,
                   name=partner.name, description=partner.description, cost=Cost.PAID,
                   cost_detail=gettext("Takes time credits for its rewards"))


def _partner_saved(partner: Organisation) -> None:
    organisation_for_partner(partner)
    if Service.objects.filter(origin=Origin.VENUE, origin_id=partner.pk).exists():
        sync_venue(partner)


def sync_venue_places(location: Location) -> None:
    """A partner's place added or moved in the directory: its rewards follow it onto the map."""
    if location.organisation_id is None:
        return
    partner_id = (AssetOrganisation.objects.filter(pk=location.organisation_id)
                  .values_list("partner_id", flat=True).first())
    if partner_id is None:
        return
    for listing in Listing.objects.filter(organisation_id=partner_id).select_related("organisation"):
        sync_listing(listing)


def sync_community(community: Community) -> None:
    """Bring every mirror of one community up to date (the demo seeder and a repair command use it)."""
    sync_categories(community)
    for partner in Organisation.objects.filter(community=community):
        organisation_for_partner(partner)
    for group in Group.objects.filter(community=community).select_related(
        "organisation", "community"
    ):
        sync_group(group)
    for opportunity in Opportunity.objects.filter(organisation__community=community).select_related(
        "organisation"
    ):
        sync_opportunity(opportunity)
    for listing in Listing.objects.filter(organisation__community=community).select_related(
        "organisation"
    ):
        sync_listing(listing)


# ------------------------------------------------------------------------------ signal handlers


def _after_save(sync):
    def handler(sender, instance, raw=False, **kwargs):
        if not raw:  # fixtures load rows one by one; `sync_community` catches up afterwards
            sync(instance)

    return handler


def _after_delete(origin):
    def handler(sender, instance, **kwargs):
        _forget(origin, instance.pk)

    return handler


_on_organisation = _after_save(_partner_saved)
_on_category = _after_save(term_for_category)
_on_group = _after_save(sync_group)
_on_series = _after_save(lambda series: sync_group(series.group))
_on_opportunity = _after_save(sync_opportunity)
_on_listing = _after_save(sync_listing)
_on_location = _after_save(sync_venue_places)
_on_group_deleted = _after_delete(Origin.GROUP)
_on_opportunity_deleted = _after_delete(Origin.OPPORTUNITY)
_on_listing_deleted = _after_delete(Origin.LISTING)


def _on_series_deleted(sender, instance, **kwargs):
    group = (
        Group.objects.filter(pk=instance.group_id)
        .select_related("organisation", "community")
        .first()
    )
    if group is not None:
        sync_group(group)


def connect() -> None:
    """Called once from ``AssetsConfig.ready``."""
    community_created.connect(
        sync_categories
    )  # its default categories come by bulk_create, without signals
    post_save.connect(_on_organisation, sender=Organisation, dispatch_uid="assets.organisation")
    post_save.connect(_on_category, sender=Category, dispatch_uid="assets.category")
    post_save.connect(_on_group, sender=Group, dispatch_uid="assets.group")
    post_save.connect(_on_series, sender=SessionSeries, dispatch_uid="assets.series")
    post_save.connect(_on_opportunity, sender=Opportunity, dispatch_uid="assets.opportunity")
    post_save.connect(_on_listing, sender=Listing, dispatch_uid="assets.listing")
    post_save.connect(_on_location, sender=Location, dispatch_uid="assets.location")
    post_delete.connect(_on_group_deleted, sender=Group, dispatch_uid="assets.group_deleted")
    post_delete.connect(
        _on_series_deleted, sender=SessionSeries, dispatch_uid="assets.series_deleted"
    )
    post_delete.connect(
        _on_opportunity_deleted, sender=Opportunity, dispatch_uid="assets.opportunity_deleted"
    )
    post_delete.connect(_on_listing_deleted, sender=Listing, dispatch_uid="assets.listing_deleted")
