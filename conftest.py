"""Personas (after healthchecks' alice/bob/charlie) used across the suite.

riverside is the community under test; hilltop is "another community" whose people must
never see into riverside.
"""

import os

import pytest
from django.db import connection

from coproduce import testing
from coproduce.members.models import Role


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL', 'sqlite (default)')}"


@pytest.fixture
def client():
    """pytest-django's client, whose force_login also records the TOTP step as allauth's log-in
    does (coproduce.testing.Client): the middleware refuses coordinators and site admins a
    session without it. Tests of the log-in itself use testing.login_with_two_factor, or
    django.test.Client for a session that never passed the TOTP step."""
    return testing.Client()


@pytest.fixture(autouse=True)
def _fast_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _no_map_tiles(settings):
    """Maps without tiles: the tests make no request outside the machine."""
    settings.MAP_TILE_URL = ""


@pytest.fixture
def riverside(db):
    return testing.make_community("riverside", "Riverside Time Bank")


@pytest.fixture
def hilltop(db):
    return testing.make_community("hilltop", "Hilltop Time Bank",
                                  areas=(("E05000009", "Hilltop Village"),))


@pytest.fixture
def member(riverside):
    user = testing.make_person("alice@example.org", "Alice Ashby")
    testing.join(user, riverside)
    return user


@pytest.fixture
def second_member(riverside):
    user = testing.make_person("bob@example.org", "Bob Brown")
    testing.join(user, riverside)
    return user


@pytest.fixture
def coordinator(riverside):
    user = testing.make_person("cora@example.org", "Cora Coordinator")
    testing.join(user, riverside, role=Role.COORDINATOR)
    testing.enable_totp(user)
    return user


@pytest.fixture
def other_member(hilltop):
    user = testing.make_person("olga@example.org", "Olga Other")
    testing.join(user, hilltop)
    return user


@pytest.fixture
def other_coordinator(hilltop):
    user = testing.make_person("otto@example.org", "Otto Other")
    testing.join(user, hilltop, role=Role.COORDINATOR)
    testing.enable_totp(user)
    return user


@pytest.fixture
def site_admin(db):
    user = testing.make_person("ada@example.org", "Ada Admin", is_superuser=True, is_staff=True)
    testing.enable_totp(user)
    return user


@pytest.fixture
def outsider(db):
    """Logged in, verified, but in no community."""
    return testing.make_person("nina@example.org", "Nina Newcomer")


PERSONAS = ["anonymous", "outsider", "member", "other_member", "coordinator", "other_coordinator", "site_admin"]


@pytest.fixture
def as_persona(client, request):
    """as_persona("coordinator") returns a test client logged in as that persona."""

    def login(name):
        if name == "anonymous":
            return client
        user = request.getfixturevalue(name)
        client.force_login(user)
        return client

    return login


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in Welsh leaves Welsh active in the
    thread (as Django does between requests), which must not reach the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and used TOTP codes live in the cache; start every test with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def applicant(riverside):
    """Someone with a pending application to riverside, made through the real service."""
    from coproduce.members.services import apply_to_community

    user = testing.make_person("pat@example.org", "Pat Applicant")
    apply_to_community(user=user, community=riverside, offers="Gardening and a chat", needs="Lifts",
                       heard_from="friend", consent=True, area=riverside.areas.first())
    return user


@pytest.fixture
def assisted_member(riverside, coordinator):
    """Someone without e-mail whom the riverside coordinator registered and acts for."""
    from coproduce.members.services import register_assisted_member

    return register_assisted_member(community=riverside, actor=coordinator, name="Edna Elder",
                                    phone="01234 567890", area=riverside.areas.first()).user
