import pytest

from coproduce.communities.models import Category
from coproduce.market import services
from coproduce.market.models import PostKind
from coproduce.members.models import Membership


def category(community, name):
    return Category.objects.get(community=community, name=name, parent__isnull=False)


def post(user, community, *, kind=PostKind.REQUEST, title="Help with weeding", category_name="Gardening",
         description="", actor=None, **extra):
    author = Membership.objects.get(user=user, community=community)
    return services.create_post(author=author, actor=actor or user, kind=kind, title=title,
                                description=description, category=category(community, category_name), **extra)


@pytest.fixture(scope="session", autouse=True)
def _end_stray_postgres_sessions(django_db_setup):
    """Before the test database is dropped, end sessions that browser tests left behind.

    Django code running while Playwright's greenlets are active can open connections
    that Django's teardown never closes; PostgreSQL then refuses to drop the test
    database ("being accessed by other users"). A separate connection ends them all.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db["USER"] or None, password=db["PASSWORD"] or None,
                         host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True) as own:
        own.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture
def gardening(riverside):
    return category(riverside, "Gardening")


@pytest.fixture
def request_post(member, riverside):
    return post(member, riverside, title="Help weeding my garden", description="Small back garden, weeds everywhere")
