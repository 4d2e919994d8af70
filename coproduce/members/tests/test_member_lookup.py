"""Choosing a member by typing: names, member numbers, suggestions, and page size."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce import testing
from coproduce.members.fields import (
    INLINE_SUGGESTIONS_UP_TO,
    MemberLookupField,
    configure_member_fields,
)
from coproduce.members.models import Membership


class PickForm(forms.Form):
    who = MemberLookupField(label="Who")

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        configure_member_fields(self, community, Membership.objects.active().filter(community=community), ["who"])


def _pick(community, text):
    form = PickForm({"who": text}, community=community)
    form.is_valid()
    return form


def test_a_name_a_number_or_a_suggestion_picks_the_member(riverside, member, second_member):
    bob = Membership.objects.get(user=second_member)
    for text in ["Bob Brown", "bob brown", "Brown", f"#{bob.pk}", str(bob.pk), f"Bob Brown (#{bob.pk})"]:
        assert _pick(riverside, text).cleaned_data["who"] == bob, text


def test_an_unknown_or_ambiguous_name_says_what_to_do(riverside, member, second_member):
    testing.join(testing.make_person("bob2@example.org", "Bobby Brown"), riverside)
    ambiguous = _pick(riverside, "Brown")
    assert "More than one member matches" in ambiguous.errors["who"][0]
    assert "#" in ambiguous.errors["who"][0]  # lists member numbers to choose from
    assert "No member is called" in _pick(riverside, "Zed").errors["who"][0]
    assert "no member number 999999" in _pick(riverside, "#999999").errors["who"][0]


def test_members_of_another_community_cannot_be_picked(riverside, member, other_member):
    olga = Membership.objects.get(user=other_member)
    assert _pick(riverside, f"#{olga.pk}").errors
    assert _pick(riverside, "Olga Other").errors


def test_lookup_suggests_members_of_the_viewers_community_only(as_persona, riverside, member, second_member,
                                                               other_member):
    client = as_persona("member")
    response = client.get(reverse("members:lookup", args=["riverside"]), {"other": "Bo"})
    assert response.status_code == 200
    assert "Bob Brown (#" in response.content.decode()
    assert "Olga" not in client.get(reverse("members:lookup", args=["riverside"]), {"q": "Ol"}).content.decode()


@pytest.mark.parametrize(("persona", "status"), [
    ("anonymous", 302), ("outsider", 403), ("other_member", 403), ("other_coordinator", 403),
    ("member", 200), ("coordinator", 200), ("site_admin", 200),
])
def test_lookup_permissions(as_persona, riverside, member, other_member, persona, status):
    response = as_persona(persona).get(reverse("members:lookup", args=["riverside"]), {"q": "Al"})
    assert response.status_code == status


def test_record_page_does_not_grow_with_the_community(as_persona, riverside, member, second_member):
    client = as_persona("member")
    url = reverse("ledger:record", args=["riverside"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        small_page = client.get(url)
    for i in range(INLINE_SUGGESTIONS_UP_TO + 5):
        testing.join(testing.make_person(f"p{i}@example.org", f"Person {i}"), riverside)
    with CaptureQueriesContext(connection) as large:
        large_page = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    # Past the inline limit the names come from the lookup endpoint, not the page.
    assert "Person 1" not in large_page.content.decode()
    assert len(large_page.content) < len(small_page.content) + 2000
