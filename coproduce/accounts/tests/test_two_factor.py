"""Two-factor authentication: required for coordinators and site admins, asked for at log-in."""

import pytest
from allauth.mfa.models import Authenticator

from coproduce import testing
from coproduce.members.models import Role

ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def coordinator_without_totp(riverside):
    user = testing.make_person("newco@example.org", "New Coordinator")
    testing.join(user, riverside, role=Role.COORDINATOR)
    return user


@pytest.mark.parametrize("url", ["/c/riverside/coordinate/", "/c/riverside/coordinate/settings/",
                                 "/c/riverside/members/", "/"])
def test_coordinator_without_totp_is_sent_to_set_it_up(client, coordinator_without_totp, url):
    client.force_login(coordinator_without_totp)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(ACTIVATE)
    assert "next=" in response.url


def test_the_return_address_survives_a_query_string(client, coordinator_without_totp):
    from urllib.parse import parse_qs, urlsplit

    client.force_login(coordinator_without_totp)
    response = client.get("/c/riverside/members/?q=garden&page=2")
    assert parse_qs(urlsplit(response.url).query)["next"] == ["/c/riverside/members/?q=garden&page=2"]


def test_site_admin_without_totp_is_sent_to_set_it_up(client, db):
    admin = testing.make_person("root@example.org", "Root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/c/riverside/coordinate/").url.startswith(ACTIVATE)


def test_coordinator_without_totp_logs_in_and_sets_it_up(client, coordinator_without_totp):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    response = client.post("/accounts/login/", {"login": "newco@example.org", "password": testing.PASSWORD})
    assert response.status_code == 302
    assert client.get("/c/riverside/coordinate/").url.startswith(ACTIVATE)
    # allauth asks for the password once more before adding an authenticator.
    assert client.get(ACTIVATE).url.startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": testing.PASSWORD})
    assert client.get(ACTIVATE).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE, {"code": testing.totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=coordinator_without_totp, type=Authenticator.Type.TOTP).exists()
    assert client.get("/c/riverside/coordinate/").status_code == 200


def test_member_without_totp_is_not_asked_for_it(client, member):
    client.force_login(member)
    assert client.get("/c/riverside/members/").status_code == 200


def test_coordinator_who_left_is_no_longer_asked_for_totp(client, coordinator_without_totp, coordinator):
    from coproduce.members.models import Membership
    from coproduce.members.services import leave_community

    leave_community(Membership.objects.get(user=coordinator_without_totp), actor=coordinator_without_totp)
    client.force_login(coordinator_without_totp)
    assert client.get("/home/").status_code == 200


def test_coordinator_with_totp_needs_the_code_to_log_in(client, coordinator):
    response = client.post("/accounts/login/", {"login": "cora@example.org", "password": testing.PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    # Password alone is not a log-in.
    assert client.get("/c/riverside/coordinate/").status_code == 302
    assert "_auth_user_id" not in client.session

    valid_now = {testing.totp_code(offset=o) for o in (-1, 0, 1)}
    wrong_code = next(code for code in ("000000", "111111") if code not in valid_now)
    wrong = client.post("/accounts/2fa/authenticate/", {"code": wrong_code})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": testing.totp_code()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator.pk)
    assert client.get("/c/riverside/coordinate/").status_code == 200


def test_member_without_totp_logs_in_with_password_alone(client, member):
    response = client.post("/accounts/login/", {"login": "alice@example.org", "password": testing.PASSWORD})
    assert response.status_code == 302
    assert response.url == "/home/"  # everyone lands on their own home page
    assert client.session["_auth_user_id"] == str(member.pk)


def test_enable_totp_helper_activates_an_authenticator(member):
    testing.enable_totp(member)
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).count() == 1
