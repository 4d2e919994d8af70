"""How a member shows up at a venue's counter to spend credits: a one-time code on their phone
(six characters and a QR code, valid ten minutes), or a printed card with their member number and
a PIN. What they spend it on, the limits and the redemption itself live in partners
(``Listing``, ``Redemption``, ``partners.rewards``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RedemptionCode(models.Model):
    """A member's one-time code for one listing. Used once: its redemption is set when a venue's
    staff confirm it; confirming it again answers with that same redemption."""

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
