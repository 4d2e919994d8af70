"""The concept vocabulary: the words people use for each category ("dog", "walkies", "pet" →
Dog walking), read by search and matching (``lexicon.resolve``) and by category suggestions
(``classifier``).

The words for the default taxonomy ship as data, one file per language
(``data/concepts.<language>.json``: English, Welsh and Spanish), and all are
copied into every new community (``install_default_vocabulary``, connected to
``communities.hooks.community_created``); from then on they are the community's own, and its
coordinators add and remove words (``services.add_concept_words``/``remove_concept_word``).
"""

import json
from functools import cache
from pathlib import Path

from coproduce.market import text
from coproduce.market.models import ConceptWord

DATA = Path(__file__).with_name("data")


@cache
def default_vocabulary(language: str = "en") -> dict[str, list[str]]:
    """Category name (as in communities/taxonomy.py, in English) -> the words people writing in
    ``language`` use for it ("en", "cy", "es": the files in ``data``)."""
    data = json.loads((DATA / f"concepts.{language.split('-')[0]}.json").read_text())
    return {name: words for name, words in data.items() if not name.startswith("_")}


def shipped_languages() -> list[str]:
    return sorted(path.name.split(".")[1] for path in DATA.glob("concepts.*.json"))


def taxonomy_name(category) -> str:
    """The default taxonomy's (English) name of a category, whatever language the community
    named it in: the English of a Welsh community's "Garddio" is among its translations."""
    english = default_vocabulary("en")
    names = [category.name, *(texts.get("name", "") for texts in (category.translations or {}).values())]
    return next((name for name in names if name in english), category.name)


def install_default_vocabulary(community) -> None:
    """Give a new community the shipped words for its default categories, in every language
    shipped (members write in their own, whatever the community's), in one insert."""
    from coproduce.communities.models import Category

    rows = []
    for category in Category.objects.filter(community=community, parent__isnull=False):
        name = taxonomy_name(category)
        # Folded, as a coordinator's words are: "jardín" is kept as "jardin", as searches read it.
        words = [text.fold(w) for language in shipped_languages() for w in default_vocabulary(language).get(name, [])]
        rows += [ConceptWord(community=community, category=category, word=w, stem=text.stem(w))
                 for w in dict.fromkeys(words) if not text.is_stop_word(w)]
    ConceptWord.objects.bulk_create(rows, ignore_conflicts=True)
