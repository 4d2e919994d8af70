"""Communities made before issue 18 get the Welsh and Spanish words for their default categories
(new communities get them from ``concepts.install_default_vocabulary``). A category with no words
at all (a community named in Welsh or Spanish, whose categories the English names did not find)
gets the English ones too; elsewhere English words a coordinator removed stay removed."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def add_words(apps, schema_editor):
    from coproduce.market import text

    def shipped(language):
        data = json.loads((DATA / f"concepts.{language}.json").read_text())
        return {name: words for name, words in data.items() if not name.startswith("_")}

    english = shipped("en")
    others = [shipped(language) for language in ("cy", "es") if (DATA / f"concepts.{language}.json").exists()]
    Category = apps.get_model("communities", "Category")
    ConceptWord = apps.get_model("market", "ConceptWord")
    rows = []
    for category in Category.objects.filter(parent__isnull=False).only("pk", "community_id", "name", "translations"):
        names = [category.name, *(texts.get("name", "") for texts in (category.translations or {}).values())]
        name = next((n for n in names if n in english), None)
        if name is None:
            continue
        languages = others if ConceptWord.objects.filter(category_id=category.pk).exists() else [english, *others]
        words = dict.fromkeys(text.fold(w) for vocabulary in languages for w in vocabulary.get(name, []))
        rows += [ConceptWord(community_id=category.community_id, category_id=category.pk, word=w, stem=text.stem(w))
                 for w in words if not text.is_stop_word(w)]
    ConceptWord.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("market", "0007_post_visible_to_linked_banks"), ("communities", "0008_languages")]
    operations = [migrations.RunPython(add_words, migrations.RunPython.noop)]
