"""Sign-up with e-mail: one account per address, whatever its capitals."""

from django.contrib.auth import get_user_model
from django.core import mail

User = get_user_model()

PASSWORD = "a-long-and-unusual-passphrase"


def signup(client, email, name="Sam Signup"):
    return client.post("/accounts/signup/", {"email": email, "name": name,
                                             "password1": PASSWORD, "password2": PASSWORD})


def test_signup_creates_a_person_and_sends_a_verification_email(client, db):
    response = signup(client, "Sam@Example.org")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "sam@example.org"
    assert user.name == "Sam Signup"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]


def test_signup_with_a_registered_address_in_other_capitals_tells_only_its_owner(client, member):
    # The page answers as for a new address (ACCOUNT_PREVENT_ENUMERATION): only the address's
    # owner learns that it already has an account.
    before = User.objects.count()
    response = signup(client, "ALICE@Example.ORG")
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert User.objects.count() == before
    assert "already registered" not in client.get(response.url).content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "an account using that email address already exists" in mail.outbox[0].body


def test_signup_without_a_name_is_refused(client, db):
    response = signup(client, "sam@example.org", name="")
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert User.objects.count() == 0


def test_emails_are_unique_whatever_their_capitals_in_the_database(member):
    import pytest
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Alice@example.org", name="Impostor")])


def test_the_emailed_link_verifies_the_address_and_logs_in(client, db):
    import re

    from allauth.account.models import EmailAddress

    signup(client, "sam@example.org")
    assert "_auth_user_id" not in client.session
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[0].body).group(0)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="sam@example.org").verified
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_unverified_people_cannot_log_in(client, db):
    from coproduce import testing

    testing.make_person("new@example.org", "New Person", verified=False)
    response = client.post("/accounts/login/", {"login": "new@example.org", "password": testing.PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_log_in_ignores_capitals_in_the_address(client, member):
    from coproduce import testing

    response = client.post("/accounts/login/", {"login": "Alice@EXAMPLE.org", "password": testing.PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_password_reset_sends_a_link(client, member):
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_site_admin_reaches_django_admin_and_members_do_not(client, site_admin, member):
    client.force_login(site_admin)
    assert client.get("/admin/").status_code == 200
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
