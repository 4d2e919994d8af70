"""Issue 14 (owned by the market app): "which category is this?" on the post form, with htmx as
people type and without JavaScript after a button, and the coordinators' words pages; axe on each."""

import os
import re

import pytest

from coproduce import testing
from coproduce.market.models import ConceptWord, Post
from coproduce.web.tests.browser.conftest import login

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABRADOR = "Would anyone take my Labrador out on weekday mornings?"
USE_DOG_WALKING = "Use “Pets: Dog walking”"


def _post_with_suggested_category(b, page):
    page.get_by_role("button", name=USE_DOG_WALKING).click()
    b.check()
    assert page.get_by_label("Category").input_value() == str(
        Post._meta.get_field("category").related_model.objects.get(community__slug="riverside",
                                                                  name="Dog walking").pk)
    assert page.get_by_label("Title").input_value() == LABRADOR  # nothing typed is lost
    page.get_by_role("button", name="Post", exact=True).click()
    b.check()
    created = Post.objects.get()
    assert created.category.name == "Dog walking" and created.title == LABRADOR


def test_suggestions_appear_as_people_type(new_browser, riverside, member):
    b = new_browser()
    login(b, "alice@example.org", testing.PASSWORD)
    page = b.visit("/c/riverside/market/new/")
    page.get_by_label("A request: I'd like help with this").check()
    page.get_by_label("Title").fill(LABRADOR)
    page.get_by_role("button", name=USE_DOG_WALKING).wait_for()  # htmx, after a pause in typing
    b.check()
    _post_with_suggested_category(b, page)


def test_suggestions_without_javascript(new_browser, riverside, member):
    b = new_browser(java_script_enabled=False)
    login(b, "alice@example.org", testing.PASSWORD)
    page = b.visit("/c/riverside/market/new/")
    page.get_by_label("A request: I'd like help with this").check()
    page.get_by_label("Title").fill(LABRADOR)
    assert page.get_by_role("button", name=USE_DOG_WALKING).count() == 0
    page.get_by_role("button", name="Suggest a category from what I wrote").click()
    b.check()
    assert not Post.objects.exists()
    _post_with_suggested_category(b, page)


def test_coordinator_edits_the_words_people_use(new_browser, riverside, coordinator):
    b = new_browser()
    login(b, "cora@example.org", testing.PASSWORD, totp=True)
    page = b.visit("/c/riverside/coordinate/words/")
    page.get_by_role("link", name=re.compile(r"^Change\s+Dog walking$")).click()
    b.check()
    page.get_by_label("Add words people use for this").fill("pooch, the")
    page.get_by_role("button", name="Add", exact=True).click()
    b.check()
    assert "is too common to tell categories apart" in page.content()
    page.get_by_label("Add words people use for this").fill("pooch")
    page.get_by_role("button", name="Add", exact=True).click()
    b.check()
    assert ConceptWord.objects.filter(category__name="Dog walking", category__community=riverside,
                                      word="pooch").exists()
    page.get_by_role("button", name=re.compile(r"^Remove\s+pooch$")).click()
    b.check()
    assert not ConceptWord.objects.filter(word="pooch").exists()
