"""Every way in ends in the same TOTP step: no password alone reaches a coordinator or admin page.

Each attack is played step by step as an attacker who knows a coordinator's or site admin's
password (phished, reused) but not their authenticator would, and must now fail plainly and
change nothing.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext

from coproduce import testing

TOO_MANY = "Too many failed login attempts. Try again later."
LOG_IN_AGAIN = "Log in again with your password and the code from your authenticator app."


def next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def assert_logged_out(client):
    assert "_auth_user_id" not in client.session


# --- The Django admin's own log-in page -------------------------------------------------------


def test_the_admin_login_page_hands_over_to_the_login_with_the_totp_step(client, site_admin):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302, "the admin's password-only form is still served"
    assert response.url.startswith("/accounts/login/")
    assert next_of(response.url) == "/admin/accounts/user/"


def test_a_site_admins_password_posted_to_the_admin_login_logs_no_one_in(
    client, site_admin, riverside, hilltop
):
    # The attack as it worked: the admin's form took the password alone, with no TOTP step and
    # no throttling, and the session then reached every community's coordinator pages.
    response = client.post(
        "/admin/login/",
        {"username": site_admin.email, "password": testing.PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/"), response.url
    assert_logged_out(client)
    for url in [
        "/admin/",
        "/c/riverside/coordinate/",
        "/c/hilltop/coordinate/",
        "/c/hilltop/members/",
    ]:
        page = client.get(url)
        assert page.status_code == 302, (url, page.status_code)
        assert "/login/" in page.url, (url, page.url)
    site_admin.refresh_from_db()
    assert site_admin.last_login is None  # nothing happened


def test_the_admin_login_never_redirects_off_site(client, site_admin):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert next_of(response.url) == "/admin/"


def test_a_member_who_opens_the_admin_is_told_it_is_not_for_them(client, member):
    client.force_login(member)
    assert client.get("/admin/").url.startswith("/admin/login/")
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403
    assert "Only site admins can use the admin pages." in response.content.decode()


def test_a_site_admin_logged_in_with_the_code_goes_straight_to_the_admin(client, site_admin):
    testing.login_with_two_factor(client, site_admin)
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response.url == "/admin/accounts/user/"
    assert client.get(response.url).status_code == 200


def test_throttling_covers_the_admin_hand_over(client, site_admin):
    # The admin's form had no throttling at all: a password could be guessed there forever.
    for _attempt in range(10):
        client.post("/admin/login/", {"username": site_admin.email, "password": "a wrong guess"})
    response = client.post(
        "/admin/login/", {"username": site_admin.email, "password": testing.PASSWORD}
    )
    assert_logged_out(client)
    # Where the admin hands over, five wrong passwords lock the account from this client.
    login_url = response.url
    assert login_url.startswith("/accounts/login/")
    for _attempt in range(5):
        page = client.post(login_url, {"login": site_admin.email, "password": "a wrong guess"})
        assert TOO_MANY not in page.content.decode()
    page = client.post(login_url, {"login": site_admin.email, "password": testing.PASSWORD})
    assert page.status_code == 200
    assert TOO_MANY in page.content.decode()
    assert_logged_out(client)


# --- Sessions that never passed the TOTP step -------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/c/riverside/coordinate/", "/c/riverside/members/", "/", "/accounts/2fa/", "/me/"]
)
def test_a_session_without_the_totp_step_is_logged_out(coordinator, url):
    # Django's own force_login: a session such as Django's login() makes (the admin's old form, a
    # forged or stolen cookie) with no record of the TOTP step.
    attacker = DjangoClient()
    attacker.force_login(coordinator)
    response = attacker.get(url)
    assert response.status_code == 302, (url, response.status_code)
    assert response.url.startswith("/accounts/login/")
    assert next_of(response.url) == url
    assert_logged_out(attacker)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [LOG_IN_AGAIN]
    assert attacker.get("/c/riverside/coordinate/").url.startswith("/accounts/login/")


def test_a_site_admin_session_without_the_totp_step_reaches_no_community(
    site_admin, riverside, hilltop
):
    attacker = DjangoClient()
    attacker.force_login(site_admin)
    response = attacker.get("/c/hilltop/coordinate/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert_logged_out(attacker)


def test_a_session_without_the_totp_step_cannot_turn_totp_off(coordinator):
    attacker = DjangoClient()
    attacker.force_login(coordinator)
    response = attacker.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert_logged_out(attacker)
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()


def test_a_real_login_with_the_code_reaches_the_coordinator_pages(client, coordinator):
    testing.login_with_two_factor(client, coordinator)
    assert client.get("/c/riverside/coordinate/").status_code == 200


# --- Password reset -----------------------------------------------------------------------------


@pytest.mark.parametrize("login_on_reset", [False, True])
def test_a_password_reset_does_not_skip_the_totp_step(
    client, coordinator, settings, login_on_reset
):
    settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET = login_on_reset  # and if someone turned it on
    client.post("/accounts/password/reset/", {"email": coordinator.email})
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line
    )
    response = client.get(urlsplit(link.strip()).path)
    assert response.status_code == 302  # to the same page without the key in its address
    new_password = "a-brand-new-long-passphrase"
    response = client.post(response.url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert not response.url.startswith("/c/")
    assert_logged_out(client)
    assert client.get("/c/riverside/coordinate/").url.startswith("/accounts/login/")

    # The new password alone is not a log-in either.
    response = client.post(
        "/accounts/login/", {"login": coordinator.email, "password": new_password}
    )
    assert response.url == "/accounts/2fa/authenticate/"
    assert_logged_out(client)
    assert client.get("/c/riverside/coordinate/").url.startswith("/accounts/login/")
    response = client.post("/accounts/2fa/authenticate/", {"code": testing.totp_code()})
    assert response.status_code == 302
    assert client.get("/c/riverside/coordinate/").status_code == 200


# --- The TOTP step is throttled -------------------------------------------------------------------


def test_wrong_codes_lock_the_totp_step(client, coordinator):
    client.post("/accounts/login/", {"login": coordinator.email, "password": testing.PASSWORD})
    valid_now = {testing.totp_code(offset=o) for o in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222") if code not in valid_now)
    for _attempt in range(5):
        page = client.post("/accounts/2fa/authenticate/", {"code": wrong})
        assert page.status_code == 200
    page = client.post("/accounts/2fa/authenticate/", {"code": testing.totp_code()})
    assert page.status_code == 200
    assert TOO_MANY in page.content.decode()
    assert_logged_out(client)


# --- Staff who are not superusers ---------------------------------------------------------------


def test_staff_without_totp_must_set_it_up_before_the_admin(client, db):
    from django.contrib.auth.models import Permission

    # Anyone the admin lets in, not just superusers, must use an authenticator.
    clerk = testing.make_person("clerk@example.org", "Clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    response = client.post("/accounts/login/", {"login": clerk.email, "password": testing.PASSWORD})
    assert response.status_code == 302
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate/")


# --- The one rule, for a future API token flow ----------------------------------------------------


def test_the_rule_a_token_flow_calls(member, coordinator, site_admin, db):
    from coproduce.accounts.mfa import TwoFactor, two_factor_state

    newcomer = testing.make_person("newco@example.org", "New Coordinator", is_superuser=True)
    assert two_factor_state(member, {"password"}) is TwoFactor.DONE
    assert two_factor_state(coordinator, {"password"}) is TwoFactor.ASK
    assert two_factor_state(site_admin, []) is TwoFactor.ASK
    assert two_factor_state(coordinator, {"password", "mfa"}) is TwoFactor.DONE
    assert two_factor_state(newcomer, {"password"}) is TwoFactor.SET_UP
    # A session that passed the step proves nothing once the authenticator is gone: set it up again.
    assert two_factor_state(newcomer, {"password", "mfa"}) is TwoFactor.SET_UP
    Authenticator.objects.filter(user=coordinator).delete()
    assert two_factor_state(coordinator, {"password", "mfa"}) is TwoFactor.SET_UP


def test_a_coordinator_who_passed_the_step_costs_one_query_per_page(coordinator, db):
    """The rule runs on every request: someone who passed the step is checked for their app only."""
    from coproduce.accounts.mfa import TwoFactor, two_factor_state

    with CaptureQueriesContext(connection) as queries:
        assert two_factor_state(coordinator, {"password", "mfa"}) is TwoFactor.DONE
    assert len(queries) == 1


def test_the_first_site_admin_gets_in_the_documented_way(client, db):
    """README: createsuperuser, then /admin/ -> log in -> confirm the e-mail -> set up TOTP."""
    import re

    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser(
        "root@example.org", testing.PASSWORD, name="Root"
    )
    login_url = client.get("/admin/login/?next=/admin/").url
    response = client.post(login_url, {"login": "root@example.org", "password": testing.PASSWORD})
    assert response.url == "/accounts/confirm-email/"
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[-1].body).group(0)
    client.post(link)
    response = client.get("/admin/")
    assert response.url.startswith("/accounts/2fa/totp/activate/")
    client.post("/accounts/reauthenticate/", {"password": testing.PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    assert (
        client.post("/accounts/2fa/totp/activate/", {"code": testing.totp_code(secret)}).status_code
        == 302
    )
    assert client.get("/admin/").status_code == 200
    assert Authenticator.objects.filter(user=root).exists()
