"""Log-in throttling (ACCOUNT_RATE_LIMITS["login_failed"] = "20/m/ip,5/5m/key").

After five wrong passwords for one account from one client address, even the right password
is refused from there for the rest of the five minutes; other accounts are not locked out, and
nor is the account from other addresses (tests/security/test_login_throttling_per_client.py).
"""

from coproduce import testing

TOO_MANY = "Too many failed login attempts. Try again later."


def log_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_five_wrong_passwords_lock_the_account(client, member):
    for _attempt in range(5):
        response = log_in(client, "alice@example.org", "wrong password")
        assert response.status_code == 200
        assert TOO_MANY not in response.content.decode()

    response = log_in(client, "alice@example.org", testing.PASSWORD)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_ignores_capitals_in_the_address(client, member):
    for _attempt in range(5):
        log_in(client, "alice@example.org", "wrong password")
    response = log_in(client, "ALICE@example.org", testing.PASSWORD)
    assert TOO_MANY in response.content.decode()


def test_the_lock_lifts_after_five_minutes(client, member, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)
    for _attempt in range(5):
        log_in(client, "alice@example.org", "wrong password")
    time_machine.move_to("2026-03-02 10:05:01+00:00", tick=False)
    response = log_in(client, "alice@example.org", testing.PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_four_wrong_passwords_do_not_lock_the_account(client, member):
    for _attempt in range(4):
        log_in(client, "alice@example.org", "wrong password")
    response = log_in(client, "alice@example.org", testing.PASSWORD)
    assert response.status_code == 302


def test_another_account_is_not_locked(client, member, second_member):
    for _attempt in range(5):
        log_in(client, "alice@example.org", "wrong password")
    response = log_in(client, "bob@example.org", testing.PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(second_member.pk)


def test_behind_a_proxy_each_client_address_is_limited_separately(client, member, second_member, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what BEHIND_PROXY=true sets
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    for _attempt in range(3):
        client.post("/accounts/login/", {"login": "alice@example.org", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.1")
    # Someone else, through the same proxy, is not locked out.
    response = client.post("/accounts/login/", {"login": "bob@example.org", "password": testing.PASSWORD},
                           HTTP_X_FORWARDED_FOR="198.51.100.9", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
