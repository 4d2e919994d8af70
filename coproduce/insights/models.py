from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.communities.activities import Activity
from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose

# --- Valuation (product brief, "Valuation: activities and replacement-cost rates") ---


class RateSet(models.Model):
    """A named set of replacement-cost rates, one per valuation activity (e.g. "UK ASHE 2025")."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, e.g. GBP or USD."))
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. GB or US."))
    description = models.TextField(_("description"), blank=True,
                                   help_text=_("The method and sources, shown beside every valuation."))

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def rates_by_activity(self) -> dict[str, "Rate"]:
        return {rate.activity: rate for rate in self.rates.all()}


class Rate(models.Model):
    rate_set = models.ForeignKey(RateSet, on_delete=models.CASCADE, related_name="rates")
    activity = models.CharField(_("valuation activity"), max_length=30, choices=Activity.choices)
    per_hour = models.DecimalField(_("per hour"), max_digits=8, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0"))])
    occupation = models.CharField(_("market-equivalent occupation"), max_length=200, blank=True)
    source = models.TextField(_("source"), help_text=_("Publisher, table and year the figure comes from."))
    year = models.PositiveSmallIntegerField(_("year"), help_text=_("The year the figure describes."))

    class Meta:
        ordering = ["rate_set", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["rate_set", "activity"], name="rate_one_per_activity"),
            models.CheckConstraint(condition=models.Q(per_hour__gte=0), name="rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.rate_set}: {self.get_activity_display()} {self.per_hour}"


class CommunityValuation(models.Model):
    """The rate set a community values its hours with (kept here so communities stays lean)."""

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE,
                                     related_name="valuation")
    rate_set = models.ForeignKey(RateSet, on_delete=models.PROTECT, related_name="communities",
                                 verbose_name=_("rate set"))

    def __str__(self):
        return f"{self.community}: {self.rate_set}"


# --- Area indicators (issue 6, point 5) ---


class AreaIndicator(models.Model):
    """An outside figure for one area, e.g. recorded crime per 1,000 people, imported from CSV."""

    personal_data = NamesPeople(names=("imported_by",), purpose=Purpose.FIGURES)

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE,
                                  related_name="area_indicators")
    area = models.ForeignKey("communities.Area", on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(_("indicator"), max_length=120)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")

    class Meta:
        ordering = ["indicator", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["area", "indicator"], name="area_indicator_unique"),
        ]

    def __str__(self):
        return f"{self.area.code} {self.indicator} = {self.value}"


# --- Co-production self-assessment (product brief, "Co-production self-assessment") ---


class Principle(models.TextChoices):
    ASSETS = "assets", _("People are assets")
    CAPACITY = "capacity", _("Building on existing capabilities")
    MUTUALITY = "mutuality", _("Mutuality and reciprocity")
    NETWORKS = "networks", _("Peer support networks")
    BLURRED_ROLES = "blurred_roles", _("Blurring distinctions")
    CATALYSTS = "catalysts", _("Facilitating rather than delivering")


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual professional")
    SERVICE = "service", _("Service or project")
    ORGANISATION = "organisation", _("Whole organisation")


class LadderRung(models.TextChoices):
    """The ladder of co-production (Think Local Act Personal with the National
    Co-production Advisory Group, after Arnstein), lowest rung first."""

    COERCION = "coercion", _("Coercion")
    EDUCATING = "educating", _("Educating")
    INFORMING = "informing", _("Informing")
    CONSULTATION = "consultation", _("Consultation")
    ENGAGEMENT = "engagement", _("Engagement")
    CO_DESIGN = "co_design", _("Co-design")
    CO_PRODUCTION = "co_production", _("Co-production")


class SelfAssessment(models.Model):
    """One sitting of an organisation's co-production self-assessment (6 principles × 3 levels)."""

    personal_data = NamesPeople(names=("created_by",), purpose=Purpose.PARTNERS)

    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE,
                                     related_name="self_assessments")
    assessed_on = models.DateField(_("date"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-assessed_on", "-id"]
        get_latest_by = ["assessed_on", "id"]

    def __str__(self):
        return f"{self.organisation} {self.assessed_on}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="scores")
    principle = models.CharField(max_length=20, choices=Principle.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "principle", "level"], name="assessment_cell_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="assessment_score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.principle}/{self.level}: {self.score}"


class LadderPlacement(models.Model):
    """Where one of the organisation's activities sits on the ladder, at this assessment."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ladder")
    activity = models.CharField(_("activity"), max_length=150)
    rung = models.CharField(_("rung"), max_length=20, choices=LadderRung.choices)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.activity}: {self.rung}"


# --- Monthly roll-ups (issue 6, point 9): kept in the posting transaction, see rollups.py ---


class ExchangeType(models.TextChoices):
    PERSON_TO_PERSON = "p2p", _("person-to-person")
    PERSON_TO_AGENCY = "p2a", _("person-to-agency")
    AGENCY_TO_AGENCY = "a2a", _("agency-to-agency")
    COMMUNITY = "community", _("community (the pot)")
    GROUP = "group", _("group")
    # Not exchange hours: reported separately (product brief, "Exchange hours").
    GIFT = "gift", _("gift")
    POT_GRANT = "pot_grant", _("grant from the pot")
    # Exchanges with members of a linked time bank: the other half is in that bank's figures.
    CROSSING = "crossing", _("with a linked time bank")


class MonthlyRollup(models.Model):
    """Posted minutes and transfer counts per community, month, category, giver's area and type.

    Net of reversals: a reversal subtracts from its original's rows. ``month`` is the first
    day of the month of ``performed_on`` (already a date in the community's time zone). A
    transfer has one row per area of its givers (``insights.rollups``): ``minutes`` and
    ``givers`` are those givers'; ``exchanges`` counts the transfer on one of its rows only.
    """

    # "community:month:category:area:type" ("-" for none): one unique, non-null key, so
    # both databases can upsert with INSERT ... ON CONFLICT (key) DO UPDATE.
    key = models.CharField(max_length=80, unique=True)
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    month = models.DateField()
    category = models.ForeignKey("communities.Category", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+", db_index=False)
    area = models.ForeignKey("communities.Area", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", db_index=False)
    exchange_type = models.CharField(max_length=10, choices=ExchangeType.choices)
    minutes = models.BigIntegerField(default=0)
    exchanges = models.IntegerField(default=0)
    givers = models.IntegerField(default=0)  # giving parties in this area: the "by area" count

    class Meta:
        indexes = [models.Index(fields=["community", "month"], name="monthly_rollup_by_month")]

    def __str__(self):
        return f"{self.community_id} {self.month} {self.exchange_type}: {self.minutes} min"


class PublicRelease(models.Model):
    """One version of the public figures of one calendar quarter (``insights.releases``).

    ``figures`` holds every published cell (tables, chart values, the anonymous picture) as it
    was released; the public pages are served from it and nothing recomputes it. A correction
    is a new version, made by a coordinator with a reason and audited; ``changes`` lists the
    figures that differ from the version before. ``source`` keeps, privately, the exact counts
    the version was protected from, so that a correction can be protected against it (never
    served). ``secret`` seeds the public picture's order and layout (never shown)."""

    personal_data = NamesPeople(names=("released_by",), purpose=Purpose.FIGURES)

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    period_start = models.DateField()  # first day of the quarter
    version = models.PositiveSmallIntegerField(default=1)
    k = models.PositiveSmallIntegerField()
    rule = models.CharField(max_length=10)
    figures = models.JSONField()  # the published cells, served as they are
    source = models.JSONField(default=dict, blank=True)  # exact counts behind them: private
    secret = models.CharField(max_length=64, blank=True)
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")  # none for the first version, made when first asked for
    reason = models.TextField(blank=True)  # why a correction was made
    changes = models.JSONField(default=list, blank=True)  # [[table caption, row label], ...] that changed

    class Meta:
        ordering = ["community", "period_start", "version"]
        constraints = [models.UniqueConstraint(fields=["community", "period_start", "version"],
                                               name="one_release_version_per_quarter")]

    def __str__(self):
        return f"{self.community_id} {self.period_start} v{self.version}"


class NetworkSnapshot(models.Model):
    """One window's exchange network worked out in the background (``insights.network_snapshots.work_out_network``):
    at 100,000 members the graph alone takes seconds, more than a page should wait (issue 19). Kept
    for the coordinators' network page with the community's latest posting when it was read, so the
    page knows when newer exchanges have made it stale and asks for it again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being worked out")
        DONE = "done", _("done")
        FAILED = "failed", _("could not be worked out")

    class Stage(models.TextChoices):
        QUEUED = "queued", _("waiting for its turn")
        READING = "reading", _("reading the exchanges")
        MEASURING = "measuring", _("measuring the ties")
        BROKERS = "brokers", _("finding who links groups together")
        DRAWING = "drawing", _("drawing the picture")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.QUEUED)
    # The figures (``network.NetworkFigures`` without its graph), the betweenness of the best
    # brokers ([[account id, score], ...], highest first) and the picture ({"positions": [[account
    # id, x, y], ...], "edges": [[a, b], ...], "total": n}); empty until first worked out, and kept
    # while a newer one is worked out.
    figures = models.JSONField(default=dict, blank=True)
    top = models.JSONField(default=list, blank=True)
    pivots = models.PositiveIntegerField(null=True, blank=True)
    picture = models.JSONField(default=dict, blank=True)
    last_posted = models.DateTimeField(null=True, blank=True)  # the community's latest posting when read
    requested_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "start", "end"], name="one_snapshot_per_window")]

    def __str__(self):
        return f"{self.community_id} {self.start}–{self.end} ({self.status})"


class MemberMonth(models.Model):
    """Minutes a member gave and received in exchanges (kinds exchange and group) in one month,
    net of reversals: what active members, reciprocity, median hours and the age and gender
    splits are counted from, so the dashboard reads one small table instead of the ledger.
    Kept in the same transaction as each posting, like ``MonthlyRollup``."""

    personal_data = PersonalData(
        title=_("Minutes given and received each month"), about=("account__membership__user",),
        purpose=Purpose.FIGURES, basis=Basis.LEGITIMATE_INTERESTS, seen_by=Audience.COORDINATORS, kept=Kept.LEDGER)

    key = models.CharField(max_length=40, unique=True)  # "account:month", for the upsert
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    account = models.ForeignKey("ledger.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    given = models.BigIntegerField(default=0)
    received = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["community", "month"], name="member_month_by_month")]

    def __str__(self):
        return f"{self.account_id} {self.month}: gave {self.given}, received {self.received}"


class PairMonth(models.Model):
    """Exchanges between two parties (members or organisations, lower account id first) in one
    month, net of reversals: the exchange network's ties for windows of whole months, without
    joining the ledger's entries to themselves. Kept in the posting transaction."""

    personal_data = PersonalData(
        title=_("Who you exchanged with each month"), about=("low__membership__user", "high__membership__user"),
        purpose=Purpose.FIGURES, basis=Basis.LEGITIMATE_INTERESTS, seen_by=Audience.COORDINATORS, kept=Kept.LEDGER)

    key = models.CharField(max_length=50, unique=True)  # "a:b:month", for the upsert
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    low = models.ForeignKey("ledger.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    high = models.ForeignKey("ledger.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    exchanges = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["community", "month"], name="pair_month_by_month")]

    def __str__(self):
        return f"{self.low_id}–{self.high_id} {self.month}: {self.exchanges}"


class ReportRequest(models.Model):
    """A PDF report asked for by a coordinator and made in the background (``insights.tasks.make_report``):
    a report over a long period takes longer than a page should wait. The PDF is kept here, for the
    requester and the community's coordinators to download, until ``report_requests`` clears it."""

    personal_data = NamesPeople(names=("requested_by",), purpose=Purpose.FIGURES)

    class Status(models.TextChoices):
        PENDING = "pending", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("could not be made")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "requested_at"], name="report_request_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(start__lte=models.F("end")), name="report_request_period"),
            models.CheckConstraint(condition=~models.Q(status="done") | models.Q(pdf__isnull=False),
                                   name="report_request_done_has_pdf"),
        ]

    def __str__(self):
        return f"{self.community_id} {self.start:%Y-%m}–{self.end:%Y-%m} ({self.status})"
