"""Categories: every community starts from the default taxonomy; coordinators add, rename, retire."""

import pytest
from django.core.exceptions import ValidationError

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.communities.activities import Activity
from coproduce.communities.models import Category
from coproduce.communities.services import add_category, rename_category, set_category_retired
from coproduce.communities.taxonomy import DEFAULT_TAXONOMY
from coproduce.members.forms import ProfileForm
from coproduce.members.models import Membership

DUPLICATE = "There is already a category called “{}” here."


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def top(community, name):
    return Category.objects.get(community=community, parent__isnull=True, name=name)


# The default taxonomy


def test_new_community_gets_the_default_taxonomy(riverside):
    tops = Category.objects.filter(community=riverside, parent__isnull=True)
    assert [c.name for c in tops] == [name for name, _activity, _children in DEFAULT_TAXONOMY]
    assert 12 <= tops.count() <= 14
    for category in tops:
        children = category.children.all()
        assert children.count() >= 2, category.name
    assert {c.activity for c in Category.objects.filter(community=riverside)} <= set(Activity.values)
    assert not Category.objects.filter(community=riverside, retired=True).exists()


def test_default_taxonomy_covers_the_brief(riverside):
    names = set(Category.objects.filter(community=riverside, parent__isnull=True).values_list("name", flat=True))
    assert {"Home and garden", "Transport and errands", "Companionship and befriending", "Health and wellbeing",
            "Learning and teaching", "Paperwork and IT", "Arts and crafts", "Children and family",
            "Care and support for adults", "Cooking and food", "Repairs and DIY", "Pets",
            "Community events"} <= names


def test_each_community_has_its_own_categories(riverside, hilltop):
    assert top(riverside, "Pets").pk != top(hilltop, "Pets").pk
    set_category_retired(top(riverside, "Pets"), actor=None, retired=True)
    assert not top(hilltop, "Pets").retired


# Adding


def test_coordinator_adds_a_subcategory(coordinator_client, coordinator, riverside):
    parent = top(riverside, "Pets")
    response = coordinator_client.post("/c/riverside/coordinate/categories/",
                                       {"name": "Feeding chickens", "parent": parent.pk, "activity": "general_volunteering"})
    assert response.status_code == 302
    added = Category.objects.get(community=riverside, name="Feeding chickens")
    assert added.parent == parent
    entry = AuditEntry.objects.get(action=AuditAction.CATEGORY_ADDED)
    assert (entry.actor, entry.subject) == (coordinator, "Pets: Feeding chickens")


def test_duplicate_name_is_refused_whatever_its_capitals(coordinator_client, riverside):
    before = Category.objects.count()
    response = coordinator_client.post("/c/riverside/coordinate/categories/",
                                       {"name": "pets", "parent": "", "activity": "general_volunteering"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [DUPLICATE.format("pets")]
    assert DUPLICATE.format("pets") in response.content.decode()
    assert Category.objects.count() == before


def test_duplicate_subcategory_name_is_refused(riverside):
    with pytest.raises(ValidationError) as error:
        add_category(riverside, actor=None, name="Dog Walking", activity="general_volunteering",
                     parent=top(riverside, "Pets"))
    assert error.value.message_dict == {"name": [DUPLICATE.format("Dog Walking")]}


def test_same_name_under_another_parent_is_fine(riverside):
    add_category(riverside, actor=None, name="Dog walking", activity="transport",
                 parent=top(riverside, "Transport and errands"))
    assert Category.objects.filter(community=riverside, name="Dog walking").count() == 2


def test_categories_go_two_levels_deep(riverside):
    child = Category.objects.get(community=riverside, name="Dog walking")
    with pytest.raises(ValidationError, match="two levels"):
        add_category(riverside, actor=None, name="Big dogs", activity="general_volunteering", parent=child)


def test_parent_from_another_community_is_refused(coordinator_client, riverside, hilltop):
    before = Category.objects.count()
    response = coordinator_client.post("/c/riverside/coordinate/categories/",
                                       {"name": "Ferrets", "parent": top(hilltop, "Pets").pk,
                                        "activity": "general_volunteering"})
    assert response.context["form"].errors["parent"] == ["Choose a category of this community."]
    assert Category.objects.count() == before
    with pytest.raises(ValidationError):
        add_category(riverside, actor=None, name="Ferrets", activity="general_volunteering",
                     parent=top(hilltop, "Pets"))


def test_blank_name_is_refused(coordinator_client):
    before = Category.objects.count()
    response = coordinator_client.post("/c/riverside/coordinate/categories/",
                                       {"name": "  ", "parent": "", "activity": "general_volunteering"})
    assert "name" in response.context["form"].errors
    assert Category.objects.count() == before


# Renaming


def test_coordinator_renames_a_category(coordinator_client, riverside):
    category = Category.objects.get(community=riverside, name="Dog walking")
    response = coordinator_client.post(f"/c/riverside/coordinate/categories/{category.pk}/rename/",
                                       {"name": "Dog walks"})
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name == "Dog walks"
    entry = AuditEntry.objects.get(action=AuditAction.CATEGORY_RENAMED)
    assert entry.detail == {"before": "Pets: Dog walking"}


def test_renaming_to_a_sibling_name_is_refused(coordinator_client, riverside):
    category = Category.objects.get(community=riverside, name="Dog walking")
    response = coordinator_client.post(f"/c/riverside/coordinate/categories/{category.pk}/rename/",
                                       {"name": "Pet Sitting"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [DUPLICATE.format("Pet Sitting")]
    category.refresh_from_db()
    assert category.name == "Dog walking"


def test_changing_only_the_capitals_of_a_name_is_fine(riverside):
    category = Category.objects.get(community=riverside, name="Dog walking")
    rename_category(category, actor=None, name="Dog Walking")
    category.refresh_from_db()
    assert category.name == "Dog Walking"


# Retiring and bringing back


def test_retiring_a_top_category_retires_its_children(coordinator_client, riverside):
    pets = top(riverside, "Pets")
    response = coordinator_client.post(f"/c/riverside/coordinate/categories/{pets.pk}/retire/")
    assert response.status_code == 302
    assert set(Category.objects.filter(community=riverside, retired=True).values_list("name", flat=True)) == {
        "Pets", "Dog walking", "Pet sitting"}
    assert AuditEntry.objects.filter(action=AuditAction.CATEGORY_RETIRED).count() == 1


def test_retired_categories_stay_on_profiles_but_cannot_be_chosen_again(member, riverside):
    dog_walking = Category.objects.get(community=riverside, name="Dog walking")
    membership = Membership.objects.get(user=member)
    membership.skills.add(dog_walking)
    set_category_retired(dog_walking, actor=None, retired=True)
    assert list(membership.skills.all()) == [dog_walking]
    offered = ProfileForm(community=riverside).fields["skills"].queryset
    assert dog_walking not in offered
    assert Category.objects.filter(pk=dog_walking.pk).exists()


def test_a_subcategory_comes_back_only_after_its_parent(coordinator_client, riverside):
    pets = top(riverside, "Pets")
    set_category_retired(pets, actor=None, retired=True)
    dog_walking = Category.objects.get(community=riverside, name="Dog walking")
    response = coordinator_client.post(f"/c/riverside/coordinate/categories/{dog_walking.pk}/restore/",
                                       follow=True)
    assert "Bring back “Pets” first." in response.content.decode()
    dog_walking.refresh_from_db()
    assert dog_walking.retired

    coordinator_client.post(f"/c/riverside/coordinate/categories/{pets.pk}/restore/")
    coordinator_client.post(f"/c/riverside/coordinate/categories/{dog_walking.pk}/restore/")
    assert not Category.objects.get(pk=pets.pk).retired
    assert not Category.objects.get(pk=dog_walking.pk).retired
    assert AuditEntry.objects.filter(action=AuditAction.CATEGORY_RESTORED).count() == 2


def test_retiring_twice_records_once(riverside):
    pets = top(riverside, "Pets")
    set_category_retired(pets, actor=None, retired=True)
    set_category_retired(pets, actor=None, retired=True)
    assert AuditEntry.objects.filter(action=AuditAction.CATEGORY_RETIRED).count() == 1


def test_a_top_category_with_subcategories_cannot_be_deleted(riverside):
    from django.db.models.deletion import ProtectedError

    with pytest.raises(ProtectedError):
        top(riverside, "Pets").delete()


def test_community_home_lists_categories_in_use(client, riverside):
    set_category_retired(top(riverside, "Pets"), actor=None, retired=True)
    names = [c.name for c in client.get("/c/riverside/").context["categories"]]
    assert "Pets" not in names
    assert "Home and garden" in names
