"""Helpers shared by the test suite: personas made through the real services."""

import datetime
import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.test import Client as DjangoClient

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
    """The code of the current 30-second window (or ``offset`` windows away). A code asked for in a
    window's last 2 seconds could expire before the page checks it: wait for the next window."""
    left = 30 - time.time() % 30
    if offset == 0 and left < 2:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def record_two_factor_login(client, user) -> None:
    """Write into the client's session what allauth's log-in writes: the password step and, for
    someone with an authenticator, the TOTP step (``coproduce.accounts.mfa`` reads it)."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.http import HttpRequest

    request = HttpRequest()
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()


class Client(DjangoClient):
    """Django's test client, whose ``force_login`` leaves the session as allauth's log-in with the
    TOTP code would (the suite's ``client`` fixture). Tests of the log-in itself use
    ``login_with_two_factor``, or Django's own client: its ``force_login`` makes a session that
    never passed the TOTP step, which the middleware refuses to coordinators and site admins."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        record_two_factor_login(self, user)


def login_with_two_factor(client, user, *, password: str = PASSWORD, secret: str = TOTP_SECRET):
    """Log in through allauth's real pages: the password, then the TOTP code when asked for it.

    A code logs one person in once: log each person in once per test (the cache of used codes
    is emptied between tests).
    """
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response.status_code == 302, f"the password was refused ({response.status_code})"
    if response.url.startswith("/accounts/2fa/authenticate/"):
        left = 30 - time.time() % 30
        if left < 2:  # don't type a code that is about to expire
            time.sleep(left + 0.1)
        response = client.post(response.url, {"code": totp_code(secret)})
        assert response.status_code == 302, f"the TOTP code was refused ({response.status_code})"
    assert client.session.get("_auth_user_id") == str(user.pk), "not logged in"
    return response


def make_community(slug: str, name: str, *, areas=(("E05000001", "Riverside North"), ("E05000002", "Riverside South"))):
    # Started long ago, so tests may record exchanges on any past date they like; its pot may pay
    # out 100 hours it was not given first (a community's own choice; the default is 0), so tests
    # of group sessions need not fund it. Tests of the floors themselves set it back.
    community = create_community(name=name, slug=slug, description=f"{name} time bank.",
                                 privacy_notice="We keep your details to run the time bank.",
                                 started_on=datetime.date(2015, 1, 1), pot_floor_minutes=-100 * 60)
    for code, area_name in areas:
        add_area(community, actor=None, code=code, name=area_name)
    return community


def join(user, community, role: str = Role.MEMBER, area=None) -> Membership:
    """Make someone a member directly (tests of joining itself go through the services)."""
    return Membership.objects.create(user=user, community=community, role=role,
                                     area=area or community.areas.first())



# Permission matrices: one row per URL, one column per persona, in this order.
PERSONAS = ("anonymous", "outsider", "member", "other_member", "coordinator", "other_coordinator", "site_admin")
LOGIN = "login"  # redirected to the log-in page
DONE = "done"  # allowed: redirected and the change is made


def matrix_params(table):
    """pytest params for rows (url, ..., (expected per persona)), named by their URL."""
    import pytest

    for row in table:
        assert len(row[-1]) == len(PERSONAS), row[0]
    return [pytest.param(*row, id=row[0]) for row in table]


def each_persona(request, subtests, expected_by_persona):
    """For each persona: a subtest, a client logged in as them, and a rolled-back savepoint.

    The data is built once per URL; each persona's requests are undone before the next
    persona's, so every column starts from the same state.
    """
    from contextlib import contextmanager

    from django.db import transaction

    @contextmanager
    def isolated(persona):
        with subtests.test(persona=persona), transaction.atomic():
            client = Client()
            if persona != "anonymous":
                client.force_login(request.getfixturevalue(persona))
            yield client
            transaction.set_rollback(True)

    for persona, expected in zip(PERSONAS, expected_by_persona, strict=True):
        yield persona, expected, isolated(persona)


def assert_status(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response.url.startswith("/accounts/login/"), response.url
    else:
        assert response.status_code == expected, (response.status_code, getattr(response, "url", ""))


def narrowed_cells(labels: list, total, k: int, cap: int = 40) -> set[int]:
    """Which "fewer than k" cells of a published line a reader could narrow, by brute force.

    ``labels`` are the published cells: an int where shown, "fewer than k" (0 to k - 1) or
    "not shown" (k to ``cap``) where hidden; ``total`` likewise (or None: no total). A cell is
    narrowed when the line leaves it unable to be 0 or unable to be k - 1, unless even hiding
    every shown figure (with its true label, "not shown") would leave it so: then the labels
    alone say it, not the figures shown. Enumerates what the cells can add up to rather than
    trusting the interval reasoning in ``coproduce.lib.disclosure``, so it checks that code.
    """
    small = f"fewer than {k}"

    def values(label):
        if isinstance(label, int):
            return [label]
        return list(range(k)) if label == small else list(range(k, cap + 1))

    def narrowed(cells, total_label):
        ranges = [values(label) for label in cells]
        totals = None if total_label is None else set(values(total_label) if not isinstance(total_label, int)
                                                      else [total_label])
        if total_label == "not shown":
            totals = set(range(k, cap * len(cells) + 1))
        found = set()
        for i, label in enumerate(cells):
            if label != small:
                continue
            sums = {0}
            for j, others in enumerate(ranges):
                if j != i:
                    sums = {s + v for s in sums for v in others}
            possible = {v for v in ranges[i] if totals is None or any(v + s in totals for s in sums)}
            if 0 not in possible or k - 1 not in possible:
                found.add(i)
        return found

    def relaxed(label):
        return "not shown" if isinstance(label, int) else label

    found = narrowed(labels, total)
    if found:
        found -= narrowed([relaxed(label) for label in labels], None if total is None else relaxed(total))
    return found


def accept_invitations(group):
    """Everyone invited to a peer-support group says yes (tests of invitations themselves go
    through the pages)."""
    from coproduce.groups.models import GroupMember, GroupMemberStatus
    from coproduce.groups.services import answer_invitation

    for place in GroupMember.objects.filter(group=group, status=GroupMemberStatus.INVITED).select_related(
            "membership__user"):
        answer_invitation(group, membership=place.membership, actor=place.membership.user, accept=True)
    return group
