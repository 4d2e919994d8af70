from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose


class CheckType(models.TextChoices):
    ENHANCED_DBS = "enhanced_dbs", _("enhanced DBS check")
    BASIC_DBS = "basic_dbs", _("basic DBS check")
    REFERENCE = "reference", _("reference")
    OTHER = "other", _("other check")


class Outcome(models.TextChoices):
    CLEAR = "clear", _("clear: may help")
    NOT_CLEAR = "not_clear", _("not clear: may not help")


class CategoryCheckRequirement(models.Model):
    """Help in this category needs a valid check of this type (for example an enhanced DBS check)."""

    personal_data = NamesPeople(names=("set_by",), purpose=Purpose.SAFEGUARDING)

    category = models.OneToOneField("communities.Category", on_delete=models.CASCADE,
                                    related_name="check_requirement")
    check_type = models.CharField(_("check needed"), max_length=20, choices=CheckType.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.category}: {self.get_check_type_display()}"


class CheckQuerySet(models.QuerySet):
    def valid(self, on=None):
        """Clear and not expired on the given day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(outcome=Outcome.CLEAR, checked_on__lte=on).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=on))


class Check(models.Model):
    """A check or reference a coordinator saw. We keep the facts, never the certificate."""

    personal_data = PersonalData(
        title=_("Safeguarding checks"), about=("membership__user",), purpose=Purpose.SAFEGUARDING,
        basis=Basis.LEGITIMATE_INTERESTS, seen_by=Audience.COORDINATORS, kept=Kept.MEMBERSHIP,
        names=("recorded_by",), withheld=("note",),
        free_text=("note",))

    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="checks")
    check_type = models.CharField(_("type"), max_length=20, choices=CheckType.choices)
    checked_on = models.DateField(_("date of the check"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True,
                            help_text=_("For example who gave the reference. Never the certificate number."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("checked_on")),
                                   name="check_expires_after_checked"),
        ]
        indexes = [models.Index(fields=["membership", "check_type", "outcome", "expires_on"], name="check_valid")]

    def __str__(self):
        return f"{self.get_check_type_display()} for {self.membership}"
