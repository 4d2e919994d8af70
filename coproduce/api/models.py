"""Personal access tokens for the JSON API (issue 17): a person makes one on their account page,
names it, chooses what it may do (its scopes) and how long it lasts, sees it once, and may revoke
it at any time. Only a hash of its secret is kept."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose


class Scope(models.TextChoices):
    READ = "read", _("Read your profile, balance, statement, suggestions, messages and groups")
    EXCHANGES = "exchanges", _("Record, confirm and decline exchanges")
    POSTS = "posts", _("Post and withdraw offers and requests, send messages, join groups and book sessions")
    PARTNER = "partner", _("Act for your organisation (partner staff) and take the registers of groups you lead")


class AccessToken(models.Model):
    personal_data = PersonalData(
        title=_("Access tokens for apps"), about=("user",), purpose=Purpose.SECURITY, basis=Basis.CONTRACT,
        seen_by=Audience.PERSON, kept=Kept.MEMBERSHIP, withheld=("secret_hash",))

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The public half of the token, to find it; the secret half is kept only as a SHA-256 hash
    # (tokens are 256 random bits, so a fast hash is enough: there is nothing to guess).
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    # Made in a session that passed the authenticator step: coordinators and admins need it.
    with_two_factor = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_made"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"
