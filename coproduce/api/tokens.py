"""Making, checking and revoking personal access tokens.

A token reads ``cpat_<prefix>_<secret>``: the prefix finds its row, the secret is compared with
the stored SHA-256 hash in constant time. Someone who must use two-factor authentication (a
coordinator, a site admin) may use only a token made in a session that passed the authenticator
step (``accounts.mfa``), so a stolen password alone never becomes API access to a whole community.
"""

import datetime
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.accounts.mfa import two_factor_required
from coproduce.api.models import AccessToken, Scope
from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit

KIND = "cpat"
LIFETIMES = (7, 30, 90, 365)  # days a token may last, as the page offers them
# last_used_at is written at most this often per token, so a busy app does not write on every call.
USE_RESOLUTION = datetime.timedelta(minutes=1)


class Refused(Exception):
    """A token that does not let anyone in, with the reason in words."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(user, *, name: str, scopes: list[str], days: int, two_factor_done: bool
                 ) -> tuple[AccessToken, str]:
    """A new token for ``user`` and its text, which is shown once and never again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what will use it, like \"my phone\".")})
    if not scopes or any(scope not in Scope.values for scope in scopes):
        raise ValidationError({"scopes": _("Choose what the token may do.")})
    if days not in LIFETIMES:
        raise ValidationError({"days": _("Choose how long the token lasts.")})
    if two_factor_required(user) and not two_factor_done:
        raise ValidationError(_("Log in with your authenticator app before you make a token."))
    now = timezone.now()
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user, name=name[:100], prefix=prefix, secret_hash=_hash(secret), scopes=sorted(set(scopes)),
        with_two_factor=two_factor_done, created_at=now, expires_at=now + datetime.timedelta(days=days))
    record_audit(actor=user, action=AuditAction.API_TOKEN_CREATED, subject=token.name, prefix=prefix,
                 scopes=token.scopes, expires=token.expires_at.date().isoformat())
    return token, f"{KIND}_{prefix}_{secret}"


@transaction.atomic
def revoke_token(token: AccessToken, *, actor) -> AccessToken:
    """The token's owner stops it working now (revoking twice changes nothing)."""
    if actor.pk != token.user_id:
        raise ValidationError(_("Only the person who made a token can revoke it."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action=AuditAction.API_TOKEN_REVOKED, subject=token.name, prefix=token.prefix)
    return token


def token_for(text: str) -> AccessToken:
    """The live token that ``text`` is, with its person; ``Refused`` with the reason otherwise."""
    kind, _sep, rest = (text or "").strip().partition("_")
    prefix, _sep, secret = rest.partition("_")
    if kind != KIND or not prefix or not secret:
        raise Refused(_("That is not a Coproduce access token."))
    token = AccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise Refused(_("That is not a Coproduce access token."))
    now = timezone.now()
    if token.revoked_at is not None:
        raise Refused(_("This token was revoked."))
    if token.expires_at <= now:
        raise Refused(_("This token has expired: make a new one on your account page."))
    if not token.user.is_active:
        raise Refused(_("This account is closed."))
    if two_factor_required(token.user) and not token.with_two_factor:
        raise Refused(_("Coordinators and admins use tokens made after logging in with their authenticator app."))
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
