"""Password reset and sign-up do not tell a stranger who has an account.

The attack: type a neighbour's address into "forgot password" or "sign up" and read from the
answer whether they belong to the time bank.
"""

import re

from django.contrib.auth import get_user_model
from django.core import mail

from coproduce import testing

CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def visible(response, client):
    """What the stranger sees: the status, where it sends them and the page they land on (less
    its CSRF token, different for everyone)."""
    landing = client.get(response.url) if response.status_code == 302 else response
    return (
        response.status_code,
        getattr(response, "url", None),
        CSRF_TOKEN.sub(r"\1", landing.content.decode()),
    )


def test_password_reset_answers_the_same_for_a_member_and_for_no_one(member):
    for_member = testing.Client()
    known = visible(
        for_member.post("/accounts/password/reset/", {"email": "alice@example.org"}), for_member
    )
    for_no_one = testing.Client()
    unknown = visible(
        for_no_one.post("/accounts/password/reset/", {"email": "nobody@example.org"}), for_no_one
    )
    assert known == unknown
    # The owner of each address is told by e-mail instead.
    assert [m.to for m in mail.outbox] == [["alice@example.org"], ["nobody@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_signup_answers_the_same_for_a_registered_address(member):
    data = {
        "name": "Someone",
        "password1": "a-long-and-unusual-passphrase",
        "password2": "a-long-and-unusual-passphrase",
    }
    registered = testing.Client()
    taken = visible(
        registered.post("/accounts/signup/", {**data, "email": "alice@example.org"}), registered
    )
    fresh = testing.Client()
    new = visible(fresh.post("/accounts/signup/", {**data, "email": "newcomer@example.org"}), fresh)
    assert taken[:2] == new[:2] == (302, "/accounts/confirm-email/")
    assert "already" not in taken[2]
    assert get_user_model().objects.filter(email="alice@example.org").count() == 1
