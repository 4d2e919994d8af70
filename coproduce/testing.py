"""Helpers shared by the test suite: personas made through the real services."""

import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model

from coproduce.communities.services import add_area, create_community
from coproduce.members.models import Membership, Role

PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_person(email: str, name: str, *, password: str = PASSWORD, verified: bool = True, **extra):
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(email=email, password=password, name=name, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def enable_totp(user, secret: str = TOTP_SECRET):
    return TOTP.activate(user, secret)


def totp_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def make_community(slug: str, name: str, *, areas=(("E05000001", "Riverside North"), ("E05000002", "Riverside South"))):
    community = create_community(name=name, slug=slug, description=f"{name} time bank.",
                                 privacy_notice="We keep your details to run the time bank.")
    for code, area_name in areas:
        add_area(community, actor=None, code=code, name=area_name)
    return community


def join(user, community, role: str = Role.MEMBER, area=None) -> Membership:
    """Make someone a member directly (tests of joining itself go through the services)."""
    return Membership.objects.create(user=user, community=community, role=role,
                                     area=area or community.areas.first())
