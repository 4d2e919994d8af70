"""Who wants which e-mails, and the signed links that turn them off with one click."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from coproduce.notifications.models import Kind, Preference

UNSUBSCRIBE_SALT = "coproduce.notifications.unsubscribe"


def wants(user, kind: str) -> bool:
    preference = Preference.objects.filter(user=user).first()
    return preference is None or getattr(preference, kind)


@transaction.atomic
def set_preferences(user, **choices) -> Preference:
    preference, _created = Preference.objects.get_or_create(user=user)
    for kind in Kind.values:
        if kind in choices:
            setattr(preference, kind, bool(choices[kind]))
    preference.save()
    return preference


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if data.get("k") not in Kind.values:
        return None
    return data["u"], data["k"]


def unsubscribe_url(user, kind: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind)])
