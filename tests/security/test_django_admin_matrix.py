"""The Django admin, for every persona logged in the real way (allauth's pages, with the TOTP code
for those who have an authenticator): only a site admin whose session passed the TOTP step gets in.
"""

import pytest
from django.test import Client as DjangoClient

from coproduce import testing

ADMIN_URLS = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/communities/community/",
    "/admin/members/membership/",
    "/admin/ledger/transfer/",
    "/admin/mfa/authenticator/",
    "/admin/audit/auditentry/",
]

EXPECTED = {
    "anonymous": testing.LOGIN,
    "outsider": 403,
    "member": 403,
    "other_member": 403,
    "coordinator": 403,
    "other_coordinator": 403,
    "site_admin": 200,
}


def outcome(client, url):
    """Follow the admin's redirects: LOGIN when they end at allauth's log-in page (asking to come
    back to ``url``), else the status of the page they end at."""
    for _hop in range(5):
        response = client.get(url)
        if response.status_code != 302:
            return response.status_code
        if response.url.startswith("/accounts/login/"):
            return testing.LOGIN
        url = response.url
    raise AssertionError(f"too many redirects, last {url}")


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_django_admin_for_each_persona(request, riverside, hilltop, persona):
    assert tuple(EXPECTED) == testing.PERSONAS
    client = DjangoClient()
    if persona != "anonymous":
        testing.login_with_two_factor(client, request.getfixturevalue(persona))
    for url in ADMIN_URLS:
        assert outcome(client, url) == EXPECTED[persona], (persona, url)


def test_an_admin_change_form_for_a_site_admin_logged_in_with_the_code(site_admin, member):
    client = DjangoClient()
    testing.login_with_two_factor(client, site_admin)
    assert client.get(f"/admin/accounts/user/{member.pk}/change/").status_code == 200


def test_a_site_admin_with_the_password_alone_gets_nothing(site_admin):
    password_only = DjangoClient()
    password_only.force_login(site_admin)  # what the admin's own log-in form used to make
    for url in ADMIN_URLS:
        assert outcome(password_only, url) == testing.LOGIN, url
    assert "_auth_user_id" not in password_only.session
