"""The default categories of communities made before issue 18 get their Welsh and Spanish names."""

from django.db import migrations
from django.utils import translation


def fill(apps, schema_editor):
    from coproduce.communities.taxonomy import DEFAULT_TAXONOMY

    names = {top for top, _activity, _children in DEFAULT_TAXONOMY}
    names |= {child for _top, _activity, children in DEFAULT_TAXONOMY for child, _a in children}
    texts = {}
    for name in names:
        texts[name] = {}
        for code in ("cy", "es"):
            with translation.override(code):
                texts[name][code] = {"name": translation.gettext(name)}
    Category = apps.get_model("communities", "Category")
    for category in Category.objects.filter(name__in=names, translations={}).only("pk", "name"):
        Category.objects.filter(pk=category.pk).update(translations=texts[category.name])


class Migration(migrations.Migration):
    dependencies = [("communities", "0006_translations")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
