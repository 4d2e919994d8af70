"""Issue 18, point 3: the matching vocabulary in Welsh and Spanish beside English. Members write
in their own language whatever their community's, so a plain Welsh or Spanish sentence finds
the offers of its category, and a post written in either is given its category."""

import importlib
import json

import pytest
from django.apps import apps

from coproduce.communities.services import create_community
from coproduce.communities.taxonomy import DEFAULT_TAXONOMY
from coproduce.market import concepts, text
from coproduce.market.classifier import suggest_categories
from coproduce.market.models import ConceptWord, PostKind
from coproduce.market.queries import search_posts
from coproduce.market.tests.conftest import category, post


def _shipped(language):
    data = json.loads((concepts.DATA / f"concepts.{language}.json").read_text())
    return {name: words for name, words in data.items() if not name.startswith("_")}


def test_each_language_ships_words_for_every_default_category_and_none_is_thrown_away():
    children = {child for _top, _activity, kids in DEFAULT_TAXONOMY for child, _a in kids}
    assert concepts.shipped_languages() == ["cy", "en", "es"]
    for language in concepts.shipped_languages():
        vocabulary = _shipped(language)
        assert set(vocabulary) == children, language
        for name, words in vocabulary.items():
            assert len(words) >= 10, (language, name)
            # A stop word would be dropped when installed: the file and the stop lists disagree.
            assert not [w for w in words if text.is_stop_word(text.fold(w))], (language, name)
            assert all(len(text.tokens(w)) == 1 for w in words), (language, name)


@pytest.fixture
def offers(riverside, second_member):
    for title, name in [("Dog walking", "Dog walking"), ("Lawn mowing and hedge trimming", "Gardening"),
                        ("Smartphone and tablet help", "Computer and phone help"),
                        ("Driving to hospital appointments", "Lifts")]:
        post(second_member, riverside, kind=PostKind.OFFER, title=title, category_name=name)


@pytest.mark.parametrize(("sentence", "expected"), [
    ("¿Alguien podría pasear a mi perro por las mañanas?", "Dog walking"),
    ("Necesito que alguien corte el césped y pode los setos", "Lawn mowing and hedge trimming"),
    ("No sé usar el móvil para hacer una videollamada", "Smartphone and tablet help"),
    ("Oes rhywun all fynd â'r ci am dro?", "Dog walking"),
    ("Mae angen torri'r lawnt a'r gwrych", "Lawn mowing and hedge trimming"),
    ("Allai rhywun fy helpu gyda'r cyfrifiadur?", "Smartphone and tablet help"),
    ("Lifft i'r ysbyty ddydd Llun", "Driving to hospital appointments"),
])
def test_a_welsh_or_spanish_sentence_finds_the_offer_of_its_category(riverside, offers, sentence, expected):
    found = [p.title for p in search_posts(riverside, query=sentence)]
    assert found and found[0] == expected, (sentence, found)


@pytest.mark.parametrize(("words", "expected"), [
    ("Paseo para mi perrito", "Dog walking"),
    ("Cortar el césped del jardín", "Gardening"),
    ("Cerdded y ci bob bore", "Dog walking"),
    ("Chwynnu'r ardd", "Gardening"),
])
def test_a_post_in_welsh_or_spanish_is_given_its_category(riverside, words, expected):
    assert suggest_categories(riverside, words)[0].name == expected


def test_the_function_words_of_a_sentence_match_nothing(riverside, offers):
    everything = [p.title for p in search_posts(riverside)]
    assert [p.title for p in search_posts(riverside, query="alguien de la por favor")] == everything
    assert [p.title for p in search_posts(riverside, query="oes rhywun allai helpu plis")] == everything


def test_a_community_named_in_welsh_gets_the_words_too(db):
    # Its categories are named in Welsh; the words are found through the English among their
    # translations.
    welsh = create_community(name="Banc Amser Aber", slug="aber", default_language="cy")
    dogs = next(c for c in welsh.categories.filter(parent__isnull=False)
                if concepts.taxonomy_name(c) == "Dog walking")
    assert dogs.name != "Dog walking"
    words = set(ConceptWord.objects.filter(category=dogs).values_list("word", flat=True))
    assert {"walkies", "ci", "cwn", "perro", "pasear"} <= words
    # Stored folded, as searches read them: "energía" is "energia".
    assert "energia" in words and "energía" not in words


def test_communities_made_before_get_the_welsh_and_spanish_words_from_the_migration(riverside, hilltop):
    gardening = category(riverside, "Gardening")
    ConceptWord.objects.filter(category=gardening).exclude(word__in=_shipped("en")["Gardening"]).delete()
    ConceptWord.objects.filter(category=gardening, word="hedge").delete()  # a coordinator took it off
    before_hilltop = ConceptWord.objects.filter(community=hilltop).count()
    migration = importlib.import_module("coproduce.market.migrations.0008_welsh_and_spanish_vocabulary")
    migration.add_words(apps, None)
    words = set(ConceptWord.objects.filter(category=gardening).values_list("word", flat=True))
    assert {"lawnt", "gwrych", "cesped", "jardin", "garden"} <= words
    assert "hedge" not in words  # the English word a coordinator removed stays removed
    assert ConceptWord.objects.filter(community=hilltop).count() == before_hilltop  # it had them all


def test_a_member_searching_in_spanish_or_welsh_on_the_page_finds_the_offer(riverside, offers, as_persona):
    """The path a member takes: the offers and requests page's search box, and the category the
    new-post form suggests as they type."""
    member = as_persona("member")
    for sentence, expected in [("¿Alguien podría pasear a mi perro?", "Dog walking"),
                               ("Oes rhywun all fynd â'r ci am dro?", "Dog walking")]:
        page = member.get("/c/riverside/market/", {"q": sentence})
        assert page.status_code == 200
        found = [p.title for p in page.context["page"].object_list]
        assert found and found[0] == expected, (sentence, found)
    hint = member.get("/c/riverside/market/categories/", {"title": "Cortar el césped del jardín", "description": ""})
    assert hint.status_code == 200 and "Gardening" in hint.content.decode()
