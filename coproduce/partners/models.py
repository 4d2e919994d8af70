from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose


class OrganisationType(models.TextChoices):
    HEALTH = "health", _("health service")
    EDUCATION = "education", _("school or college")
    HOUSING = "housing", _("housing")
    LIBRARY = "library", _("library")
    POLICE = "police", _("police")
    COUNCIL = "council", _("council")
    CHARITY = "charity", _("charity or community group")
    BUSINESS = "business", _("local business")
    SHOP = "shop", _("shop")
    CAFE = "cafe", _("café or restaurant")
    LEISURE = "leisure", _("leisure centre or sports")
    CULTURE = "culture", _("cinema, theatre or arts venue")
    TRADES = "trades", _("tradesperson")
    OTHER = "other", _("other")


class CheckRequired(models.TextChoices):
    """The safeguarding checks an opportunity may need (the values match safeguarding's CheckType)."""

    ENHANCED_DBS = "enhanced_dbs", _("enhanced DBS check")
    BASIC_DBS = "basic_dbs", _("basic DBS check")
    REFERENCE = "reference", _("reference")


class Organisation(models.Model):
    """A partner organisation taking part in a community; it has one ledger account there."""

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT,
                                  related_name="organisations")
    name = models.CharField(_("name"), max_length=150)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices,
                            default=OrganisationType.OTHER)
    area = models.ForeignKey("communities.Area", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="organisations", verbose_name=_("area"))
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="organisation_name_unique_in_community"),
        ]

    def __str__(self):
        return self.name


class StaffQuerySet(models.QuerySet):
    def active(self, on=None):
        """Staff links in force on ``on`` (today): started, and not yet left."""
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(models.Q(left_on__isnull=True) | models.Q(left_on__gt=on), started_on__lte=on)


class Staff(models.Model):
    """A person working for a partner organisation (the partner-staff role). Leaving ends access."""

    personal_data = PersonalData(
        title=_("Work for partner organisations"), about=("user",), purpose=Purpose.PARTNERS, basis=Basis.CONTRACT,
        seen_by=Audience.PARTNER, kept=Kept.MEMBERSHIP)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_roles")
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    started_on = models.DateField(_("started"))
    left_on = models.DateField(_("left"), null=True, blank=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("staff")
        ordering = ["organisation", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], condition=models.Q(left_on__isnull=True),
                                    name="one_current_staff_link"),
            models.CheckConstraint(condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("started_on")),
                                   name="staff_left_after_started"),
        ]

    def __str__(self):
        return f"{self.user} at {self.organisation}"


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("open")
    CANCELLED = "cancelled", _("cancelled")


class Opportunity(models.Model):
    """A way members can contribute to an organisation (they give time, the organisation receives)."""

    personal_data = NamesPeople(names=("created_by",), purpose=Purpose.PARTNERS)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="opportunities")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("last date"), null=True, blank=True,
                               help_text=_("Leave empty for a single day."))
    times = models.CharField(_("times"), max_length=100, blank=True, help_text=_("For example 10am to 12 noon."))
    places_needed = models.PositiveIntegerField(_("people needed"), default=1)
    # How long each person is expected to give, in minutes: shown to members, and the time staff
    # credit by default when they confirm attendance ("Everyone came").
    expected_minutes = models.PositiveIntegerField(_("expected time"), null=True, blank=True)
    check_required = models.CharField(_("safeguarding check required"), max_length=20, blank=True,
                                      choices=CheckRequired.choices)
    status = models.CharField(max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(condition=models.Q(places_needed__gte=1), name="opportunity_needs_someone"),
            # One ledger line holds at most 24 hours, so an expected time beyond it could never be credited.
            models.CheckConstraint(
                condition=models.Q(expected_minutes__isnull=True)
                | models.Q(expected_minutes__gt=0, expected_minutes__lte=24 * 60),
                name="opportunity_expected_time_creditable"),
        ]

    def __str__(self):
        return self.title


class Signup(models.Model):
    """A member signed up for an opportunity; staff later confirm whether they came and for how long."""

    personal_data = PersonalData(
        title=_("Opportunities you signed up for"), about=("membership__user",), purpose=Purpose.PARTNERS,
        basis=Basis.CONTRACT, seen_by=Audience.PARTNER, kept=Kept.MEMBERSHIP, names=("signed_up_by",))

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="signups")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="opportunity_signups")
    signed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    minutes = models.PositiveIntegerField(null=True, blank=True)
    transfer = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "membership"], name="one_signup_per_opportunity"),
        ]

    def __str__(self):
        return f"{self.membership} for {self.opportunity}"


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = dict(zip(WEEKDAYS, (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
                                    _("Saturday"), _("Sunday")), strict=True))


class Listing(models.Model):
    """Something members can spend credits on at an organisation (agency-to-person): a reward.

    The limits a venue sets are all optional: how many are left (stock), how many a day, how many
    per member per month, on which days and between which times, until when, and an age limit
    that the venue's staff check at the counter (the site keeps no one's age for it)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="listings")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    minutes = models.PositiveIntegerField(_("price in minutes"))
    stock = models.PositiveIntegerField(_("how many are left"), null=True, blank=True)
    daily_cap = models.PositiveIntegerField(_("how many a day at most"), null=True, blank=True)
    per_member_per_month = models.PositiveSmallIntegerField(_("how many per member per month"),
                                                            null=True, blank=True)
    days = models.JSONField(_("days"), default=list, blank=True)  # WEEKDAYS codes; empty: every day
    opens_at = models.TimeField(_("from"), null=True, blank=True)
    closes_at = models.TimeField(_("until"), null=True, blank=True)
    available_until = models.DateField(_("offered until"), null=True, blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("only for people aged at least"), null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="listing_costs_something"),
            models.CheckConstraint(condition=models.Q(opens_at__isnull=True) | models.Q(closes_at__isnull=True)
                                   | models.Q(closes_at__gt=models.F("opens_at")), name="listing_times_in_order"),
        ]

    def __str__(self):
        return self.title


class RedemptionVia(models.TextChoices):
    ONLINE = "online", _("online")
    CODE = "code", _("one-time code")
    CARD = "card", _("card and PIN")


class Redemption(models.Model):
    """One time a member spent credits on a listing: the ledger transfer it posted, and how.
    The limits (stock, a day, per member per month) count these rows."""

    personal_data = PersonalData(
        title=_("Rewards you spent credits on"), about=("membership__user",), purpose=Purpose.PARTNERS,
        basis=Basis.CONTRACT, seen_by=Audience.PARTNER, kept=Kept.LEDGER, names=("confirmed_by",))

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="redemptions")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="redemptions")
    transfer = models.OneToOneField("ledger.Transfer", on_delete=models.PROTECT, related_name="redemption")
    via = models.CharField(max_length=10, choices=RedemptionVia.choices)
    minutes = models.PositiveIntegerField()  # the price paid (the listing's price may change later)
    redeemed_on = models.DateField()  # the community's date
    redeemed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The venue's own return, when it records it: this member has since come back as a paying customer.
    came_back_paying_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(minutes__gt=0), name="redemption_costs_something")]
        indexes = [
            models.Index(fields=["listing", "redeemed_on"], name="redemptions_by_day"),
            models.Index(fields=["listing", "membership", "redeemed_on"], name="redemptions_by_member"),
        ]

    def __str__(self):
        return f"{self.listing} for {self.membership}"
