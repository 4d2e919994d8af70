from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose


class Reason(models.TextChoices):
    ISOLATION = "isolation", _("isolation or loneliness")
    LOW_MOOD = "low_mood", _("low mood")
    LONG_TERM_CONDITION = "long_term", _("long-term condition")
    WEIGHT = "weight", _("weight")
    CARER_SUPPORT = "carer", _("carer support")
    OTHER = "other", _("other")


class Step(models.TextChoices):
    """The steps a referral moves through, in order."""

    RECEIVED = "received", _("received")
    CONTACTED = "contacted", _("contacted")
    JOINED = "joined", _("joined")
    FIRST_EXCHANGE = "first_exchange", _("first exchange")
    CLOSED = "closed", _("closed")


STEP_ORDER = [Step.RECEIVED, Step.CONTACTED, Step.JOINED, Step.FIRST_EXCHANGE, Step.CLOSED]


class ClosedReason(models.TextChoices):
    SETTLED = "settled", _("settled in: taking part")
    DECLINED = "declined", _("the person decided not to take part")
    NO_CONTACT = "no_contact", _("could not make contact")
    MOVED = "moved", _("moved away")
    OTHER = "other", _("other")


class Referral(models.Model):
    """Social prescribing: partner staff refer a person to the time bank or to a peer-support group.

    The reason and note are private to the referrer, the coordinators and the person.
    """

    personal_data = PersonalData(
        title=_("Referrals about you"), about=("membership__user",), purpose=Purpose.REFERRALS, basis=Basis.CONSENT,
        seen_by=Audience.PARTNER, kept=Kept.MEMBERSHIP, special=True, names=("referred_by",),
        free_text=("name", "contact", "note"))

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="referrals", verbose_name=_("member"))
    name = models.CharField(_("name"), max_length=150, blank=True, help_text=_("For someone not yet a member."))
    contact = models.CharField(_("phone or e-mail"), max_length=200, blank=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True,
                                               help_text=_("When the person agreed to be referred."))
    group = models.ForeignKey("groups.Group", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="referrals", verbose_name=_("peer-support group"))
    # A direct referral to a service in the community's directory (the lunch club, the job club).
    service = models.ForeignKey("assets.Service", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="referrals", verbose_name=_("service in the directory"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    step = models.CharField(max_length=20, choices=Step.choices, default=Step.RECEIVED)
    closed_reason = models.CharField(max_length=20, choices=ClosedReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(consent_recorded_at__isnull=False), name="referral_needs_consent"),
            models.CheckConstraint(condition=Q(membership__isnull=False) | ~Q(name=""),
                                   name="referral_names_the_person"),
            models.CheckConstraint(condition=Q(group__isnull=True) | Q(service__isnull=True),
                                   name="referral_to_a_group_or_a_service"),
            models.CheckConstraint(condition=Q(step="closed") | Q(closed_reason=""),
                                   name="referral_closed_reason_only_when_closed"),
        ]
        indexes = [models.Index(fields=["community", "step", "reason"], name="referral_counts")]

    def __str__(self):
        return f"Referral #{self.pk}"

    @property
    def person_name(self) -> str:
        return self.membership.user.name if self.membership_id else self.name


class ReferralStep(models.Model):
    """When a referral reached each step, and who moved it there."""

    personal_data = PersonalData(
        title=_("Steps of your referrals"), about=("referral__membership__user",), purpose=Purpose.REFERRALS,
        basis=Basis.CONSENT, seen_by=Audience.PARTNER, kept=Kept.MEMBERSHIP, special=True, names=("recorded_by",))

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(max_length=20, choices=Step.choices)
    on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        constraints = [models.UniqueConstraint(fields=["referral", "step"], name="each_referral_step_once")]

    def __str__(self):
        return f"{self.referral} {self.step} on {self.on}"


class SignpostHow(models.TextChoices):
    PRINTED = "printed", _("printed or handed over")
    SENT = "sent", _("sent by e-mail")


class Signpost(models.Model):
    """A link worker gave someone a directory service's details (signposting) without referring
    them: counted beside referrals, holding nothing about the person."""

    personal_data = NamesPeople(names=("made_by",), purpose=Purpose.REFERRALS)

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="signposts")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="signposts")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("assets.Service", on_delete=models.PROTECT, related_name="signposts")
    how = models.CharField(_("how"), max_length=10, choices=SignpostHow.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["community", "reason"], name="signpost_counts")]

    def __str__(self):
        return f"{self.service_id} ({self.get_how_display()})"
