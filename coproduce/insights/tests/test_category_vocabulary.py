"""One category vocabulary for people (issue 13, point 6): everyone sees the community's own
categories; the twelve valuation activities appear only on the valuation pages, where the mapping
from category to activity is shown and set."""

import pytest
from django.urls import reverse

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.communities.activities import Activity
from coproduce.communities.models import Category
from coproduce.communities.services import add_category


def _home_and_garden(community):
    top = Category.objects.get(community=community, parent=None, name="Home and garden")
    return top, top.children.get(name="Laundry, ironing and mending")


def test_the_categories_page_speaks_of_categories_only(client, riverside, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("communities:categories", args=[riverside.slug])).content.decode()
    assert "Home and garden" in html
    assert "Counts in reports as" not in html
    assert "Housing: gardening" not in html and 'name="activity"' not in html
    assert reverse("insights:category_activities", args=[riverside.slug]) in html


def test_a_new_category_counts_as_its_parent_or_as_general_volunteering(client, riverside, coordinator):
    top, _child = _home_and_garden(riverside)
    client.force_login(coordinator)
    url = reverse("communities:categories", args=[riverside.slug])
    assert client.post(url, {"name": "Hedge trimming", "parent": top.pk}).status_code == 302
    assert Category.objects.get(name="Hedge trimming").activity == top.activity
    assert client.post(url, {"name": "Bee keeping", "parent": ""}).status_code == 302
    assert Category.objects.get(name="Bee keeping").activity == Activity.GENERAL
    # Asked for explicitly (the default taxonomy, the demo), the activity is kept.
    assert add_category(riverside, actor=None, name="Rides", activity=Activity.TRANSPORT).activity == Activity.TRANSPORT


def test_the_valuation_page_shows_the_mapping(client, riverside, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("insights:valuation_rates", args=[riverside.slug])).content.decode()
    mapping = html[html.index('id="category-mapping"'):]
    mapping = mapping[:mapping.index("</table>")]
    assert "Laundry, ironing and mending" in mapping and "Clothing and laundry" in mapping
    assert mapping.count("<tr>") == Category.objects.filter(community=riverside).count() + 1  # + the header


def test_a_coordinator_changes_how_a_category_counts(client, riverside, coordinator):
    top, child = _home_and_garden(riverside)
    url = reverse("insights:category_activities", args=[riverside.slug])
    client.force_login(coordinator)
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data[f"category_{child.pk}"] = Activity.CLEANING
    response = client.post(url, data)
    assert response.status_code == 302
    child.refresh_from_db()
    top.refresh_from_db()
    assert child.activity == Activity.CLEANING
    assert top.activity == Activity.GARDENING  # nothing else changed
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED, community=riverside)
    assert entry.detail["changes"] == {"Laundry, ironing and mending": Activity.CLEANING}


@pytest.mark.parametrize("bad", ["", "astrology", "x" * 500])
def test_a_bad_choice_changes_nothing(client, riverside, coordinator, bad):
    _top, child = _home_and_garden(riverside)
    url = reverse("insights:category_activities", args=[riverside.slug])
    client.force_login(coordinator)
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()} | {f"category_{child.pk}": bad}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Choose one of the activities listed" in response.content.decode() or "required" in response.content.decode()
    child.refresh_from_db()
    assert child.activity == Activity.LAUNDRY


def test_who_may_change_the_mapping(client, riverside, member, other_coordinator):
    url = reverse("insights:category_activities", args=[riverside.slug])
    assert client.get(url).status_code == 302
    for person in (member, other_coordinator):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
