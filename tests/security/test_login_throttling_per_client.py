"""Log-in throttling counts wrong passwords per account and client address, plus per address.

The attack: a stranger types wrong passwords for alice until the throttle locks alice's
account, and alice, at home, can no longer log in.
"""

from coproduce import testing

TOO_MANY = "Too many failed login attempts. Try again later."
STRANGER = "203.0.113.66"
ALICES_HOME = "198.51.100.7"


def log_in(client, email, password, address):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_a_stranger_cannot_lock_a_member_out(member):
    stranger = testing.Client()
    for _attempt in range(5):
        assert (
            TOO_MANY
            not in log_in(stranger, "alice@example.org", "a guess", STRANGER).content.decode()
        )
    for _attempt in range(3):
        page = log_in(stranger, "alice@example.org", "another guess", STRANGER)
        assert page.status_code == 200
        assert TOO_MANY in page.content.decode()
    # Even the right password is refused to the stranger's address for the rest of the window.
    page = log_in(stranger, "alice@example.org", testing.PASSWORD, STRANGER)
    assert TOO_MANY in page.content.decode()
    assert "_auth_user_id" not in stranger.session

    alice = testing.Client()
    response = log_in(alice, "ALICE@example.org", testing.PASSWORD, ALICES_HOME)
    assert response.status_code == 302
    assert alice.session["_auth_user_id"] == str(member.pk)


def test_one_address_trying_many_accounts_is_slowed(member, second_member):
    stranger = testing.Client()
    for number in range(20):
        page = log_in(stranger, f"person{number}@example.org", "a guess", STRANGER)
        assert TOO_MANY not in page.content.decode()
    page = log_in(stranger, "bob@example.org", "a guess", STRANGER)
    assert TOO_MANY in page.content.decode()
    # Everyone else is unaffected.
    response = log_in(testing.Client(), "bob@example.org", testing.PASSWORD, ALICES_HOME)
    assert response.status_code == 302


def test_behind_the_proxy_the_address_is_the_clients(member, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what BEHIND_PROXY=true sets
    stranger = testing.Client()
    for _attempt in range(6):
        stranger.post(
            "/accounts/login/",
            {"login": "alice@example.org", "password": "a guess"},
            HTTP_X_FORWARDED_FOR=STRANGER,
            REMOTE_ADDR="10.0.0.1",
        )
    alice = testing.Client()
    response = alice.post(
        "/accounts/login/",
        {"login": "alice@example.org", "password": testing.PASSWORD},
        HTTP_X_FORWARDED_FOR=ALICES_HOME,
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
