"""Asset-based profiles and the member directory."""

import pytest

from coproduce.communities.models import Category
from coproduce.members.models import Membership
from coproduce.members.services import leave_community, update_profile


@pytest.fixture
def bob(second_member):
    return Membership.objects.get(user=second_member)


def profile_form(riverside, **overrides):
    return {"name": "Alice Ashby", "about_me": "Retired teacher who loves gardens.", "skills_text": "Jam making",
            "interests_text": "Someone to fix my bike", "languages": "English, Polish",
            "access_needs": "Step-free access please", "contact_preference": "phone", "phone": "07700 900123",
            "area": riverside.areas.last().pk, **overrides}


def test_member_edits_their_own_profile(client, member, riverside):
    gardening = Category.objects.get(community=riverside, name="Gardening")
    bikes = Category.objects.get(community=riverside, name="Bike repair")
    client.force_login(member)
    response = client.post("/c/riverside/profile/", profile_form(
        riverside, skills=[gardening.pk], interests=[bikes.pk], availability=["0", "5", "20"]))
    membership = Membership.objects.get(user=member)
    assert response.status_code == 302
    assert response.url == f"/c/riverside/members/{membership.pk}/"
    member.refresh_from_db()
    assert (member.about_me, member.languages, member.phone) == (
        "Retired teacher who loves gardens.", "English, Polish", "07700 900123")
    assert membership.area == riverside.areas.last()
    assert list(membership.skills.all()) == [gardening]
    assert list(membership.interests.all()) == [bikes]
    assert membership.availability == (1 << 0) | (1 << 5) | (1 << 20)

    page = client.get(f"/c/riverside/members/{membership.pk}/").content.decode()
    assert "Home and garden: Gardening" in page
    assert "Monday: morning" in page
    assert "Sunday: evening" in page


def test_edit_form_starts_from_the_current_profile(client, member, riverside):
    gardening = Category.objects.get(community=riverside, name="Gardening")
    membership = Membership.objects.get(user=member)
    update_profile(membership, actor=member, person={"about_me": "Hello"}, place={"availability": 0b101},
                   skills=[gardening])
    client.force_login(member)
    form = client.get("/c/riverside/profile/").context["form"]
    assert form.initial["about_me"] == "Hello"
    assert form.initial["skills"] == [gardening.pk]
    assert form.initial["availability"] == [0, 2]


def test_categories_of_another_community_cannot_be_chosen(client, member, riverside, hilltop):
    theirs = Category.objects.get(community=hilltop, name="Gardening")
    client.force_login(member)
    response = client.post("/c/riverside/profile/", profile_form(riverside, skills=[theirs.pk]))
    assert response.status_code == 200
    assert "skills" in response.context["form"].errors
    assert not Membership.objects.get(user=member).skills.exists()


def test_service_refuses_categories_of_another_community(member, hilltop):
    from django.core.exceptions import ValidationError

    theirs = Category.objects.get(community=hilltop, name="Gardening")
    with pytest.raises(ValidationError):
        update_profile(Membership.objects.get(user=member), actor=member, person={}, place={}, skills=[theirs])


@pytest.mark.parametrize(("shares", "visible"), [(False, False), (True, True)])
def test_email_and_phone_are_shown_only_when_the_member_chose(client, member, bob, second_member, shares, visible):
    update_profile(bob, actor=second_member, person={"phone": "07700 900456", "share_email": shares,
                                                     "share_phone": shares}, place={})
    client.force_login(member)
    page = client.get(f"/c/riverside/members/{bob.pk}/").content.decode()
    assert ("bob@example.org" in page) == visible
    assert ("07700 900456" in page) == visible


def test_coordinators_see_contact_details(client, coordinator, bob, second_member):
    update_profile(bob, actor=second_member, person={"phone": "07700 900456"}, place={})
    client.force_login(coordinator)
    page = client.get(f"/c/riverside/members/{bob.pk}/").content.decode()
    assert "bob@example.org" in page
    assert "07700 900456" in page


def test_directory_never_shows_contact_details(client, member, bob, second_member):
    update_profile(bob, actor=second_member, person={"phone": "07700 900456", "share_email": True,
                                                     "share_phone": True}, place={})
    client.force_login(member)
    page = client.get("/c/riverside/members/").content.decode()
    assert "Bob Brown" in page
    assert "bob@example.org" not in page
    assert "07700 900456" not in page


def test_directory_search_by_skill_lists_each_member_once(client, member, bob, second_member, riverside):
    skills = list(Category.objects.filter(community=riverside, name__in=["Gardening", "Food growing"]))
    update_profile(bob, actor=second_member, person={}, place={}, skills=skills)
    client.force_login(member)
    response = client.get("/c/riverside/members/", {"q": "g"})
    names = [m.user.name for m in response.context["page"]]
    assert names.count("Bob Brown") == 1
    response = client.get("/c/riverside/members/", {"q": "food growing"})
    assert [m.user.name for m in response.context["page"]] == ["Bob Brown"]


def test_members_who_left_are_not_in_the_directory(client, member, bob, second_member):
    leave_community(bob, actor=second_member)
    client.force_login(member)
    response = client.get("/c/riverside/members/")
    assert "Bob Brown" not in [m.user.name for m in response.context["page"]]
    assert client.get(f"/c/riverside/members/{bob.pk}/").status_code == 404


def test_the_directory_counts_its_pages_from_the_kept_count_and_follows_every_change(
    client, member, bob, second_member, riverside, applicant
):
    from coproduce import testing
    from coproduce.members.views import DIRECTORY_PAGE_SIZE

    def shown():
        page = client.get("/c/riverside/members/").context["page"]
        return page.paginator.count, page.paginator.num_pages

    def active():
        return Membership.objects.filter(community=riverside, status="active").count()

    client.force_login(member)
    assert shown() == (active(), 1)
    # Enough newcomers for a second page: counted at once, not at the next cache expiry.
    for i in range(DIRECTORY_PAGE_SIZE):
        testing.join(testing.make_person(f"n{i}@example.org", f"Newcomer {i}"), riverside)
    assert shown() == (active(), 2)
    # A departure counts too; applicants never do.
    leave_community(bob, actor=second_member)
    assert shown() == (active(), 2)
    last = client.get("/c/riverside/members/", {"page": 2}).context["page"]
    assert len(last.object_list) == active() - DIRECTORY_PAGE_SIZE
    # A search counts what it found.
    found = client.get("/c/riverside/members/", {"q": "Newcomer 1"}).context["page"]
    matching = [i for i in range(DIRECTORY_PAGE_SIZE) if f"Newcomer {i}".startswith("Newcomer 1")]
    assert found.paginator.count == len(found.object_list) == len(matching) > 1


def test_pending_applicants_are_not_in_the_directory(client, member, applicant):
    client.force_login(member)
    response = client.get("/c/riverside/members/")
    assert "Pat Applicant" not in response.content.decode()


def test_coordinators_reach_a_members_balance_limits_from_the_profile(as_persona, riverside, member, coordinator):
    from django.urls import reverse

    from coproduce.members.models import Membership

    membership = Membership.objects.get(user=member, community=riverside)
    page = as_persona("coordinator").get(reverse("members:profile", args=["riverside", membership.pk]))
    assert reverse("ledger:limits", args=["riverside", membership.pk]) in page.content.decode()
