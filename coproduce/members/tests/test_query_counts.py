"""List pages run the same number of queries with 10 members as with 200."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.communities.models import Category
from coproduce.members.models import Application, Membership

User = get_user_model()


def add_people(community, count, *, prefix):
    """Bulk-add members with skills, plus pending applicants, assisted members and audit entries.

    A bulk path keeps the test fast; the rows are what the services would have written.
    """
    areas = list(community.areas.all())
    skills = list(Category.objects.filter(community=community, parent__isnull=False))
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@example.org", name=f"Person {prefix}{i}", password="!",
             is_assisted=False) for i in range(count))
    assisted = User.objects.bulk_create(
        User(email=None, name=f"Assisted {prefix}{i}", password="!", is_assisted=True) for i in range(count // 4))
    applicants = User.objects.bulk_create(
        User(email=f"applicant-{prefix}{i}@example.org", name=f"Applicant {prefix}{i}", password="!")
        for i in range(count // 4))
    memberships = Membership.objects.bulk_create(
        Membership(community=community, user=user, area=areas[i % len(areas)], skills_text="Tea and chat")
        for i, user in enumerate(users + assisted))
    Membership.skills.through.objects.bulk_create(
        Membership.skills.through(membership_id=m.pk, category_id=skills[(i + k) % len(skills)].pk)
        for i, m in enumerate(memberships) for k in range(3))
    now = timezone.now()
    Application.objects.bulk_create(
        Application(community=community, user=user, offers="Cooking", heard_from="friend", area=areas[0],
                    consent_version="1", consented_at=now) for user in applicants)
    AuditEntry.objects.bulk_create(
        AuditEntry(community=community, actor=user, on_behalf_of=other, action=AuditAction.PROFILE_CHANGED,
                   subject=other.name) for user, other in zip(users, assisted, strict=False))


def count_queries(client, url):
    client.get(url)  # warm caches (content types, sessions) so both counts compare like with like
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [
    "/c/riverside/members/",
    "/c/riverside/members/?q=Person",
    "/c/riverside/coordinate/",
    "/c/riverside/coordinate/audit/",
    "/c/riverside/",
    "/time-banks/",
    "/home/",  # the coordinator's home: the day's queues
])
def test_queries_do_not_grow_with_members(client, riverside, coordinator, url):
    add_people(riverside, 8, prefix="a")  # with the coordinator and the directory, about 10 members
    client.force_login(coordinator)
    with_ten = count_queries(client, url)

    add_people(riverside, 190, prefix="b")
    assert Membership.objects.filter(community=riverside).count() > 200
    with_two_hundred = count_queries(client, url)
    assert with_two_hundred == with_ten


def test_directory_shows_skills_of_every_member_on_the_page(client, riverside, member):
    add_people(riverside, 30, prefix="c")
    client.force_login(member)
    response = client.get("/c/riverside/members/")
    page = response.context["page"]
    assert len(page) == 25
    assert all(len(m.skills.all()) == 3 for m in page if m.user.name.startswith("Person"))
