"""The front door and the error pages."""

from coproduce.members.services import leave_community


def test_home_lists_every_community_with_its_active_members(client, riverside, hilltop, member, second_member,
                                                            other_member):
    from coproduce.members.models import Membership

    leave_community(Membership.objects.get(user=second_member), actor=second_member)
    response = client.get("/")
    assert response.status_code == 200
    counts = {c.slug: c.member_count for c in response.context["communities"]}
    assert counts == {"riverside": 1, "hilltop": 1}
    page = response.content.decode()
    assert "Riverside Time Bank" in page
    assert "Hilltop Time Bank" in page


def test_home_without_communities_says_so(client, db):
    response = client.get("/")
    assert "No time banks have been set up here yet." in response.content.decode()


def test_not_found_page(client, db):
    response = client.get("/c/nowhere/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_forbidden_page_says_why(client, member, hilltop):
    client.force_login(member)
    response = client.get("/c/hilltop/members/")
    assert response.status_code == 403
    assert "Only members of Hilltop Time Bank can see this page." in response.content.decode()


def test_community_home_is_public_and_explains_how_to_join(client, riverside, member):
    response = client.get("/c/riverside/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "How to join" in page
    assert "/c/riverside/apply/" in page
    assert "We keep your details to run the time bank." in page  # the privacy notice
    # Public: one member reads "fewer than 5" (issue 11: the figures page hides it, so must this).
    assert str(response.context["member_count"]) == "fewer than 5"
    assert "fewer than 5</strong> members" in page


def test_community_home_greets_a_member(client, riverside, member):
    client.force_login(member)
    page = client.get("/c/riverside/").content.decode()
    assert "You are a member here." in page
    assert "How to join" not in page
