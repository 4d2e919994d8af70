"""A copy of a person's data, made in the background and kept for a few days (issue 20)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose

EXPORT_KEPT = datetime.timedelta(days=7)


class DataExport(models.Model):
    """One archive of everything held about ``person``, asked for by them or, for an assisted
    member, by a coordinator of ``community``. Only whoever asked can download it, for
    ``EXPORT_KEPT`` after it was made; then it is cleared."""

    personal_data = PersonalData(
        title=_("Copies of your data"), about=("person",), purpose=Purpose.DATA_RIGHTS,
        basis=Basis.LEGAL_OBLIGATION, seen_by=Audience.PERSON, kept=Kept.SHORT, names=("requested_by",),
        withheld=("archive",), free_text=("reason",))

    class Status(models.TextChoices):
        PENDING = "pending", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("could not be made")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Set when a coordinator asked for an assisted member: the community they coordinate, and why.
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    parts_done = models.PositiveIntegerField(default=0)
    parts_total = models.PositiveIntegerField(default=0)
    archive = models.BinaryField(null=True, blank=True, editable=False)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="data_export_by_requester")]
        constraints = [
            models.CheckConstraint(condition=models.Q(parts_done__lte=models.F("parts_total")),
                                   name="data_export_progress_in_range"),
            models.CheckConstraint(
                condition=models.Q(requested_by=models.F("person")) | ~models.Q(reason=""),
                name="data_export_on_behalf_has_reason"),
        ]

    def __str__(self):
        return f"Data of user {self.person_id}, asked for {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def expires_at(self) -> datetime.datetime | None:
        return self.finished_at + EXPORT_KEPT if self.finished_at else None

    def has_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    @property
    def percent_done(self) -> int:
        return round(100 * self.parts_done / self.parts_total) if self.parts_total else 0


class ErasureRequest(models.Model):
    """A person's request to leave and be erased, or a coordinator's for an assisted member. It
    waits out the cooling-off period (the longest of the person's communities'), during which the
    person can cancel it; then a coordinator of one of their communities confirms it and the
    erasure is carried out (``privacy.erasure``)."""

    personal_data = PersonalData(
        title=_("Requests to be erased"), about=("person",), purpose=Purpose.DATA_RIGHTS,
        basis=Basis.LEGAL_OBLIGATION, seen_by=Audience.PERSON_AND_COORDINATORS, kept=Kept.AUDIT,
        names=("requested_by", "cancelled_by", "confirmed_by"), free_text=("reason",))

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        CANCELLED = "cancelled", _("cancelled")
        ERASING = "erasing", _("being erased")
        DONE = "done", _("erased")
        FAILED = "failed", _("could not be erased")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Blank: the retention rule asked (``privacy.retention``), with the reason saying so.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    requested_at = models.DateTimeField(default=timezone.now)
    erasable_from = models.DateTimeField()
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=models.Q(status__in=["waiting", "erasing"]),
                                    name="one_open_erasure_request_per_person"),
            models.CheckConstraint(
                condition=models.Q(requested_by=models.F("person")) | ~models.Q(reason=""),
                name="erasure_on_behalf_has_reason"),
        ]

    def __str__(self):
        return f"Erasure of user {self.person_id}: {self.status}"

    def may_be_carried_out(self, now=None) -> bool:
        return self.status == self.Status.WAITING and (now or timezone.now()) >= self.erasable_from
