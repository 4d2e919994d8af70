from allauth.mfa.models import Authenticator

from coproduce.members.models import Membership, Role


def two_factor_required(user) -> bool:
    """Coordinators and site admins must use an authenticator app."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.active().filter(user=user, role=Role.COORDINATOR).exists()


def has_two_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
