"""The community's assets in the shape of the Open Referral UK standard (HSDS 3.0, UK profile).

An *organisation* (a partner or any other: the tenants' association, the church) runs *services*
(a lunch club, a drop-in, advice) at *locations* on *schedules*; a service says what it costs
(free, paid, time credits), who it is for (ages, eligibility), its languages and its taxonomy
terms. Ids are UUIDs, as the standard's are, so a record keeps its id from one directory to the
next (``import_oruk`` upserts by id). Every record says who looks after it and when it was last
checked; imported ones also say where they came from.

Peer-support groups, partner opportunities and spend-credit listings are services too: their own
apps keep them, and ``sync`` mirrors them here (``origin`` says which), so the directory and the
feed list them without anyone typing them twice.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose


class Provenance(models.Model):
    """Who looks after a record, when it was last checked, and where an imported one came from."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    maintained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    last_checked_on = models.DateField(_("last checked"), null=True, blank=True)
    source_url = models.URLField(_("imported from"), max_length=500, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    # Changed here since it was imported: a later import shows the conflict instead of overwriting.
    edited_locally = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AssetOrganisation(Provenance):
    """HSDS ``organization``: anyone who runs something, a partner or not."""

    personal_data = NamesPeople(names=("maintained_by",), purpose=Purpose.DIRECTORY)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.OneToOneField("partners.Organisation", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="asset")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "name"], name="asset_org_by_name")]

    def __str__(self):
        return self.name


class Location(Provenance):
    """HSDS ``location`` with its ``address`` and ``accessibility``."""

    personal_data = NamesPeople(names=("maintained_by",), purpose=Purpose.DIRECTORY)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(AssetOrganisation, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="locations")
    name = models.CharField(_("name of the place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("town or city"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    step_free = models.BooleanField(_("step-free access"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    accessibility = models.TextField(_("accessibility notes"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(latitude__isnull=True, longitude__isnull=True)
                                   | Q(latitude__isnull=False, longitude__isnull=False, latitude__gte=-90,
                                       latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                                   name="location_point_complete_and_in_range"),
        ]
        indexes = [models.Index(fields=["community", "latitude", "longitude"], name="location_by_point")]

    def __str__(self):
        return self.name or self.address or self.postcode


class Cost(models.TextChoices):
    FREE = "free", _("free")
    PAID = "paid", _("paid")
    TIME_CREDITS = "time_credits", _("time credits")


class Origin(models.TextChoices):
    """Where a service is kept: here, or by another app (mirrored by ``sync``), or another directory."""

    LOCAL = "local", _("added here")
    GROUP = "group", _("peer-support group")
    OPPORTUNITY = "opportunity", _("partner opportunity")
    LISTING = "listing", _("spend your time credits")
    VENUE = "venue", _("a venue's place and opening times")
    IMPORTED = "imported", _("another directory")


# Kept by another app and mirrored here (``sync``): changed where they live, not in the directory.
MIRRORED = (Origin.GROUP, Origin.OPPORTUNITY, Origin.LISTING, Origin.VENUE)


class Taxonomy(models.Model):
    """HSDS ``taxonomy``: a vocabulary of terms (a community's own categories are one)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.URLField(max_length=500, blank=True)
    version = models.CharField(max_length=40, blank=True)

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    """HSDS ``taxonomy_term``. Terms made from the community's categories point back to them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    category = models.OneToOneField("communities.Category", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="taxonomy_term")
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceQuerySet(models.QuerySet):
    def listed(self):
        """What the directory and the feed show: active services."""
        return self.filter(active=True)


class Service(Provenance):
    """HSDS ``service``: something people can go to, use or join."""

    personal_data = NamesPeople(names=("maintained_by",), purpose=Purpose.DIRECTORY)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(AssetOrganisation, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The description in other languages (``lib.translated``).
    translations = models.JSONField(default=dict, blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    cost = models.CharField(_("cost"), max_length=20, choices=Cost.choices, default=Cost.FREE)
    cost_detail = models.CharField(_("about the cost"), max_length=200, blank=True)
    credits_minutes = models.PositiveIntegerField(_("time credits (minutes)"), null=True, blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True,
                                                   validators=[MaxValueValidator(120)])
    maximum_age = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True,
                                                   validators=[MaxValueValidator(120)])
    eligibility = models.CharField(_("who it is for"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)  # ISO 639 codes: ["en", "cy"]
    terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")
    locations = models.ManyToManyField(Location, through="ServiceAtLocation", related_name="services")
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.LOCAL)
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)  # the group, opportunity or listing
    active = models.BooleanField(default=True)
    # What the directory's text search reads: lower-cased by the database whenever a row is
    # written (bulk writes included), with a trigram index on PostgreSQL (migration 0002).
    search_text = models.GeneratedField(
        expression=Lower(Concat("name", Value(" "), "description", Value(" "), "eligibility",
                          output_field=models.TextField())),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(minimum_age__isnull=True) | Q(maximum_age__isnull=True)
                                   | Q(minimum_age__lte=F("maximum_age")), name="service_ages_in_order"),
            models.UniqueConstraint(fields=["origin", "origin_id"], condition=Q(origin_id__isnull=False),
                                    name="one_service_per_origin"),
        ]
        indexes = [models.Index(fields=["community", "active", "name"], name="service_listed_by_name")]

    def __str__(self):
        return self.name

    @property
    def kept_elsewhere(self) -> bool:
        """Mirrored from a group, opportunity or listing: edited there, not here."""
        return self.origin in MIRRORED


class ServiceAtLocation(models.Model):
    """HSDS ``service_at_location``: this service, at this place."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="one_link_per_service_place")]

    def __str__(self):
        return f"{self.service_id} at {self.location_id}"


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("every week")
    MONTHLY = "MONTHLY", _("every month")


class Schedule(models.Model):
    """HSDS ``schedule``: when a service is open, weekly on some days, monthly, or on one date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(_("repeats"), max_length=7, choices=Frequency.choices, blank=True)
    byday = models.CharField(_("days"), max_length=30, blank=True)  # "MO,WE" (RFC 5545 day codes)
    opens_at = models.TimeField(_("opens"), null=True, blank=True)
    closes_at = models.TimeField(_("closes"), null=True, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    description = models.CharField(_("in words"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True)
                                   | Q(closes_at__gt=F("opens_at")), name="schedule_closes_after_it_opens"),
            models.CheckConstraint(condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=F("valid_from")), name="schedule_ends_after_it_starts"),
        ]

    def __str__(self):
        return self.description or f"{self.freq} {self.byday} {self.opens_at}–{self.closes_at}"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a coordinator")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class Suggestion(models.Model):
    """A member suggests a new asset, or a correction to one; a coordinator accepts or declines."""

    personal_data = PersonalData(
        title=_("Directory suggestions you made"), about=("suggested_by__user",), purpose=Purpose.DIRECTORY,
        basis=Basis.LEGITIMATE_INTERESTS, seen_by=Audience.COORDINATORS, kept=Kept.MEMBERSHIP,
        names=("decided_by",), free_text=("details", "reason"))

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    suggested_by = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="suggestions")  # a correction to this one; None: a new one
    name = models.CharField(_("name"), max_length=200)
    details = models.TextField(_("what to add or correct"))
    place = models.CharField(_("where"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(status=SuggestionStatus.DECLINED) | ~Q(reason=""),
                                   name="declined_suggestion_has_reason"),
        ]
        indexes = [models.Index(fields=["community", "status", "created_at"], name="suggestion_queue")]

    def __str__(self):
        return self.name
