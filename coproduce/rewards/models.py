"""How a member shows up at a venue's counter to spend credits: a one-time code on their phone
(six characters and a QR code, valid ten minutes), or a printed card with their member number and
a PIN. What they spend it on, the limits and the redemption itself live in partners
(``Listing``, ``Redemption``, ``partners.rewards``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose


class RedemptionCode(models.Model):
    """A member's one-time code for one listing. Used once: its redemption is set when a venue's
    staff confirm it; confirming it again answers with that same redemption."""

    personal_data = PersonalData(
        title=_("Codes for spending credits"), about=("membership__user",), purpose=Purpose.PARTNERS,
        basis=Basis.CONTRACT, seen_by=Audience.PERSON, kept=Kept.SHORT, withheld=("code",))

    code = models.CharField(max_length=6, unique=True)
    listing = models.ForeignKey("partners.Listing", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("members.Membership", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    redemption = models.OneToOneField("partners.Redemption", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="code")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")),
                                              name="code_expires_after_it_is_made")]

    def __str__(self):
        return self.code


class MemberCard(models.Model):
    """A printed card for members without a smartphone: their member number (the membership's
    number) and a PIN, kept hashed. Five wrong PINs lock the card for a while, never the member's
    account."""

    personal_data = PersonalData(
        title=_("Member card"), about=("membership__user",), purpose=Purpose.PARTNERS, basis=Basis.CONTRACT,
        seen_by=Audience.PERSON_AND_COORDINATORS, kept=Kept.MEMBERSHIP, names=("issued_by",), withheld=("pin_hash",))

    membership = models.OneToOneField("members.Membership", on_delete=models.CASCADE, related_name="card")
    pin_hash = models.CharField(max_length=200)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("member card")

    def __str__(self):
        return f"card {self.membership_id}"


class JoinStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a coordinator")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")


VENUE_TYPES = ("shop", "cafe", "leisure", "culture", "trades", "business")


class VenueApplication(models.Model):
    """A member asks for their local business to join as a venue. A coordinator approves it (the
    business becomes a partner organisation, the member its staff) or declines it with a reason."""

    personal_data = PersonalData(
        title=_("Businesses you proposed"), about=("membership__user",), purpose=Purpose.PARTNERS,
        basis=Basis.CONTRACT, seen_by=Audience.PERSON_AND_COORDINATORS, kept=Kept.MEMBERSHIP, names=("decided_by",),
        free_text=("description", "contact_phone", "decision_reason"))

    membership = models.ForeignKey("members.Membership", on_delete=models.CASCADE, related_name="venue_applications")
    name = models.CharField(_("the business's name"), max_length=150)
    type = models.CharField(_("kind of business"), max_length=20)
    description = models.TextField(_("what it is"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=JoinStatus.choices, default=JoinStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="declined") | ~models.Q(decision_reason=""),
                                   name="declined_venue_has_reason"),
            models.UniqueConstraint(fields=["membership"], condition=models.Q(status="pending"),
                                    name="one_pending_venue_application"),
        ]

    def __str__(self):
        return self.name
