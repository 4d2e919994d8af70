from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose


class Kind(models.TextChoices):
    """Kinds of e-mail; each has its own switch and its own one-click unsubscribe."""

    MESSAGES = "messages", _("new messages")
    MATCHES = "matches", _("match suggestions")
    EXCHANGES = "exchanges", _("exchanges waiting for my confirmation")
    EXPIRING = "expiring", _("my offers and requests about to lapse")
    DIGEST = "digest", _("weekly digest of new offers and requests")


class Preference(models.Model):
    """What e-mail one person wants. No row means everything on."""

    personal_data = PersonalData(
        title=_("E-mail choices"), about=("user",), purpose=Purpose.NOTIFICATIONS, basis=Basis.CONSENT,
        seen_by=Audience.PERSON, kept=Kept.MEMBERSHIP)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    messages = models.BooleanField(Kind.MESSAGES.label, default=True)
    matches = models.BooleanField(Kind.MATCHES.label, default=True)
    exchanges = models.BooleanField(Kind.EXCHANGES.label, default=True)
    expiring = models.BooleanField(Kind.EXPIRING.label, default=True)
    digest = models.BooleanField(Kind.DIGEST.label, default=True)

    def __str__(self):
        return f"e-mail preferences of {self.user}"


class DigestSent(models.Model):
    """One weekly digest per person per community per week, even if the command runs twice."""

    personal_data = PersonalData(
        title=_("Weekly digests sent to you"), about=("user",), purpose=Purpose.NOTIFICATIONS, basis=Basis.CONSENT,
        seen_by=Audience.PERSON, kept=Kept.SHORT)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text=_("Monday of the week the digest covers."))
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "community", "week"], name="one_digest_per_week")]

    def __str__(self):
        return f"digest for {self.user} in {self.community} ({self.week})"
