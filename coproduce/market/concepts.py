"""The concept vocabulary: the words people use for each category ("dog", "walkies", "pet" →
Dog walking), read by search and matching (``lexicon.resolve``) and by category suggestions
(``classifier``).

The words for the default taxonomy ship as data (``data/concepts.<language>.json``) and are
copied into every new community (``install_default_vocabulary``, connected to
``communities.hooks.community_created``); from then on they are the community's own, and its
coordinators add and remove words (``services.add_concept_words``/``remove_concept_word``).
"""

import json
from functools import cache
from pathlib import Path

from django.conf import settings

from coproduce.market import text
from coproduce.market.models import ConceptWord

DATA = Path(__file__).with_name("data")


@cache
def default_vocabulary(language: str | None = None) -> dict[str, list[str]]:
    """Category name (as in communities/taxonomy.py) -> words, for a language (English when
    there is no file for it yet)."""
    language = (language or settings.LANGUAGE_CODE).split("-")[0]
    path = DATA / f"concepts.{language}.json"
    if not path.exists():
        path = DATA / "concepts.en.json"
    data = json.loads(path.read_text())
    return {name: words for name, words in data.items() if not name.startswith("_")}


def install_default_vocabulary(community) -> None:
    """Give a new community the shipped words for its default categories (one insert)."""
    from coproduce.communities.models import Category

    vocabulary = default_vocabulary()
    rows = []
    for category in Category.objects.filter(community=community, parent__isnull=False):
        words = [w for w in vocabulary.get(category.name, []) if not text.is_stop_word(w)]
        rows += [ConceptWord(community=community, category=category, word=w, stem=text.stem(w))
                 for w in dict.fromkeys(words)]
    ConceptWord.objects.bulk_create(rows, ignore_conflicts=True)
