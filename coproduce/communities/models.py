import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.communities.activities import Activity
from coproduce.lib.colour import MIN_CONTRAST_WITH_WHITE, contrast_with_white, normalise_hex
from coproduce.lib.translated import translated


@functools.cache
def _known_time_zones() -> frozenset[str]:
    # available_timezones() walks the zoneinfo directory on every call (~15 ms); read it once.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _known_time_zones():
        raise ValidationError(_("%(value)s is not a known time zone, such as Europe/London."),
                              params={"value": value})


# GOV.UK Frontend's brand blue: white text on it has a contrast of 5.2:1.
DEFAULT_BRAND_COLOUR = "#1d70b8"


def validate_brand_colour(value: str) -> None:
    """A "#rrggbb" colour that white text can be read on (WCAG AA, 4.5:1)."""
    try:
        colour = normalise_hex(value)
    except ValueError:
        raise ValidationError(_("Enter a colour as # and six hex digits, such as #1d70b8."),
                              code="invalid") from None
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        raise ValidationError(
            _("White text on %(value)s has a contrast of %(ratio)s:1; it needs at least 4.5:1 to be "
              "readable. Choose a darker colour."),
            code="low_contrast", params={"value": colour, "ratio": f"{ratio:.1f}"})


class AfterWindow(models.TextChoices):
    CONFIRM = "confirm", _("confirm it automatically")
    EXPIRE = "expire", _("let it expire")


class SmallCountRule(models.TextChoices):
    SUPPRESS = "suppress", _("show counts below k as “fewer than k”")
    ROUND = "round", _("round counts to the nearest 5")


def all_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class Community(models.Model):
    """One time bank. Everything a community owns carries its id, so data can be sharded by it."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("web address name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    # The name and description in other languages (``lib.translated``).
    translations = models.JSONField(default=dict, blank=True)
    # The language of its pages and e-mails for people who have not chosen one (issue 18).
    default_language = models.CharField(_("language"), max_length=10, default="en-gb", choices=settings.LANGUAGES,
                                        help_text=_("Members can choose another for themselves."))
    # The languages its own texts are written in (its name, categories, groups, places), its own
    # among them; readers of another see the text in its own (``lib.translated``).
    languages = models.JSONField(_("languages its texts are written in"), default=all_languages, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/London",
                                 validators=[validate_time_zone])
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    privacy_notice = models.TextField(_("privacy notice"), blank=True)
    privacy_notice_version = models.CharField(_("privacy notice version"), max_length=20, default="1")

    # Settings used by the ledger, matching and reports.
    min_balance_minutes = models.IntegerField(
        _("lowest balance (minutes)"), default=-20 * 60, validators=[MaxValueValidator(0)])
    max_balance_minutes = models.IntegerField(
        _("highest balance (minutes)"), default=100 * 60, validators=[MinValueValidator(0)])
    confirmation_window_days = models.PositiveSmallIntegerField(
        _("days to confirm an exchange"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)])
    after_confirmation_window = models.CharField(
        _("when nobody confirms in time"), max_length=10,
        choices=AfterWindow.choices, default=AfterWindow.CONFIRM)
    small_count_k = models.PositiveSmallIntegerField(
        _("smallest count shown publicly (k)"), default=5,
        validators=[MinValueValidator(2), MaxValueValidator(50)])
    small_count_rule = models.CharField(
        _("small counts"), max_length=10, choices=SmallCountRule.choices,
        default=SmallCountRule.SUPPRESS)
    brokerage_after_days = models.PositiveSmallIntegerField(
        _("days before an unmatched request needs a broker"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)])
    asset_check_months = models.PositiveSmallIntegerField(
        _("months before a directory entry needs checking"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    erasure_cooling_off_days = models.PositiveSmallIntegerField(
        _("days before a request to be erased can be carried out"), default=14,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
        help_text=_("The person can cancel their request until then; a coordinator then confirms it."))
    # {purpose: lawful basis} as the community states them in its privacy notice, where it differs
    # from what the platform declares (coproduce.lib.personal_data; set on the privacy pages).
    lawful_bases = models.JSONField(default=dict, blank=True)
    retention_months = models.PositiveSmallIntegerField(
        _("months the data of people who left is kept"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Then they are erased, and older audit entries are masked (manage.py apply_retention, daily)."))

    # Controls a finance officer signs off: what the pot and organisations may issue, how far
    # back sessions and opportunities may be dated, and when a coordinator must approve.
    started_on = models.DateField(
        _("time bank started"), default=timezone.localdate,
        help_text=_("Nothing can be recorded before this date, and figures start here."))
    pot_floor_minutes = models.IntegerField(
        _("lowest balance of the community pot (minutes)"), default=0, validators=[MaxValueValidator(0)],
        help_text=_("0 means the pot can only pay out what members and partners gave it."))
    organisation_floor_minutes = models.IntegerField(
        _("lowest balance of a partner organisation (minutes)"), default=-200 * 60,
        validators=[MaxValueValidator(0), MinValueValidator(-100_000 * 60)],
        help_text=_("How many hours an organisation may credit before it must be topped up; "
                    "a coordinator can set an exception for one organisation."))
    backdate_days = models.PositiveSmallIntegerField(
        _("days back a session or opportunity may be dated"), default=7,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("Older ones are entered by a coordinator."))
    approval_ceiling_minutes = models.PositiveIntegerField(
        _("most minutes one person is credited from the pot or an organisation without approval"),
        default=8 * 60, validators=[MinValueValidator(15), MaxValueValidator(24 * 60)])
    brand_colour = models.CharField(
        _("community colour"), max_length=7, default=DEFAULT_BRAND_COLOUR, validators=[validate_brand_colour],
        help_text=_("A hex colour such as #1d70b8, shown behind white text at the top of every page, "
                    "so it must be dark enough to read white text on."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("communities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(min_balance_minutes__lte=0), name="community_min_balance_not_positive"),
            models.CheckConstraint(condition=Q(max_balance_minutes__gte=0), name="community_max_balance_not_negative"),
            models.CheckConstraint(condition=Q(small_count_k__gte=2), name="community_k_at_least_2"),
            models.CheckConstraint(condition=Q(pot_floor_minutes__lte=0), name="community_pot_floor_not_positive"),
            models.CheckConstraint(condition=Q(organisation_floor_minutes__lte=0),
                                   name="community_organisation_floor_not_positive"),
            models.CheckConstraint(condition=Q(approval_ceiling_minutes__gte=15),
                                   name="community_approval_ceiling_positive"),
        ]

    def __str__(self):
        return self.name


class Area(models.Model):
    """A neighbourhood: a ward, an LSOA or any local code the community uses."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=20, help_text=_("For example a ward or LSOA code: E01000001."))
    name = models.CharField(_("name"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="area_code_unique_in_community"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="area_centroid_both_or_neither",
            ),
        ]

    def __str__(self):
        return self.name


class CategoryQuerySet(models.QuerySet):
    def in_use(self):
        return self.filter(retired=False)


class Category(models.Model):
    """What help is about. Categories are retired rather than deleted once used."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("part of"))
    name = models.CharField(_("name"), max_length=80)
    # Its name in other languages (``lib.translated``); the default taxonomy comes with them.
    translations = models.JSONField(default=dict, blank=True)
    activity = models.CharField(_("valuation activity"), max_length=30, choices=Activity.choices)
    retired = models.BooleanField(_("retired"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "parent", "name"], name="category_name_unique_in_parent"),
            models.UniqueConstraint(fields=["community", "name"], condition=Q(parent__isnull=True),
                                    name="top_category_name_unique"),
        ]

    def __str__(self):
        name = translated(self, "name")
        return f"{translated(self.parent, 'name')}: {name}" if self.parent_id else name
