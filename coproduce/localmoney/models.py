"""Local Multiplier 3 (LM3), the New Economics Foundation's measure of how much of an
organisation's income stays in the area ("The Money Trail", NEF, 2002).

- Round 1: the organisation's income in a period.
- Round 2: what it spends locally: local suppliers, and the wages of staff who live in the area.
- Round 3: what those suppliers and staff spend locally in turn: each local line's amount times
  the share they re-spend locally, as surveyed.
- LM3 = (R1 + R2 + R3) / R1, from 1 (nothing stays) to 3 (everything stays, twice).

Money is in whole pence. Spending that is not local is a leak: the survey shows where it goes.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import NamesPeople, Purpose


class Survey(models.Model):
    """One organisation's money trail for one period."""

    personal_data = NamesPeople(names=("created_by",), purpose=Purpose.PARTNERS)

    organisation = models.ForeignKey("partners.Organisation", on_delete=models.CASCADE, related_name="lm3_surveys")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    income_pence = models.PositiveBigIntegerField(_("income in the period"))
    notes = models.TextField(_("notes on the method"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="lm3_period_in_order"),
            models.CheckConstraint(condition=Q(income_pence__gt=0), name="lm3_income_positive"),
            models.UniqueConstraint(fields=["organisation", "starts_on", "ends_on"], name="lm3_one_survey_a_period"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.starts_on}–{self.ends_on}"


class SpendKind(models.TextChoices):
    SUPPLIER = "supplier", _("a supplier")
    STAFF = "staff", _("staff wages")
    OTHER = "other", _("other spending")


class Spend(models.Model):
    """Where some of the income went (round 2), and, for local spending, how much of it the
    supplier or staff re-spend locally (round 3), as surveyed."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(_("who or what"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=SpendKind.choices, default=SpendKind.SUPPLIER)
    amount_pence = models.PositiveBigIntegerField(_("amount"))
    local = models.BooleanField(_("in the area"), default=False)
    respent_locally_percent = models.PositiveSmallIntegerField(_("share they re-spend in the area (%)"),
                                                               null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(respent_locally_percent__lte=100), name="lm3_share_is_a_percent"),
            models.CheckConstraint(condition=Q(local=True) | Q(respent_locally_percent__isnull=True),
                                   name="lm3_share_only_for_local_spending"),
        ]

    def __str__(self):
        return self.name
