"""Who must use two-factor authentication, and whether a log-in has done it: the rule, once.

Every way in ends here. allauth's log-in asks for the TOTP code (and records that it did in the
session); the Django admin's log-in page hands over to allauth's; a password reset logs no one
in; and ``RequireTwoFactorMiddleware`` applies ``session_two_factor`` to every request, so a
session made any other way (a forged or stolen cookie, a log-in from before this rule) is refused
too. A future API token flow calls ``two_factor_state`` itself (see its docstring).
"""

import enum
from collections.abc import Callable, Iterable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator

# The method allauth records in the session when someone passes the authenticator step.
MFA_METHOD = "mfa"


class TwoFactor(enum.Enum):
    DONE = "done"  # not required, or this log-in passed the authenticator step
    SET_UP = "set_up"  # required, and the person has no authenticator yet
    ASK = "ask"  # required, they have one, and this log-in did not use it: not a log-in at all


# Who else must use an authenticator app, decided by the apps above (``members``: coordinators):
# each rule answers for one person. Registered in their ``AppConfig.ready``.
_required_for: list[Callable[[object], bool]] = []


def require_two_factor_when(rule: Callable[[object], bool]) -> None:
    if rule not in _required_for:
        _required_for.append(rule)


def two_factor_required(user) -> bool:
    """Site admins, anyone else who can open the Django admin, and whoever a registered rule
    names (coordinators) must use an authenticator app."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(rule(user) for rule in _required_for)


def has_two_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def two_factor_state(user, methods: Iterable[str]) -> TwoFactor:
    """Whether someone who proved who they are with ``methods`` may act.

    ``methods`` are the ways this log-in was proved, as allauth names them ("password", "mfa").
    A future API token flow calls this before it issues a token: check the password with
    ``get_adapter(request).authenticate(request, email=..., password=...)`` (allauth's adapter,
    so the log-in throttling of ``AccountAdapter`` applies), check the code with allauth's
    ``AuthenticateForm`` (throttled per person), then issue a token only when this answers DONE.
    """
    methods = set(methods)
    # Passed the authenticator step and still has the app: done whoever they are (one query on
    # every page for coordinators, instead of asking their role first).
    if MFA_METHOD in methods and has_two_factor(user):
        return TwoFactor.DONE
    if not two_factor_required(user):
        return TwoFactor.DONE
    if not has_two_factor(user):
        return TwoFactor.SET_UP
    return TwoFactor.DONE if MFA_METHOD in methods else TwoFactor.ASK


def session_two_factor(request) -> TwoFactor:
    """``two_factor_state`` for the person logged in to this session.

    allauth keeps a record of each step this session's log-in passed, for this user only; a
    session made without allauth's log-in (Django's ``login()``, the admin's old log-in form,
    ``Client.force_login``) has no record and so has not passed the authenticator step.
    """
    user = request.user
    records = get_authentication_records(request, user)
    return two_factor_state(user, (record.get("method") for record in records))
