"""Welsh and Spanish beside English (issue 18, point 5): the catalogues hold every string the
code and templates mark, each translated and none fuzzy; and no template has text a person reads
outside a translation tag."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]  # coproduce/
LANGUAGES = ("cy", "es")
# Words in templates that are the same in every language: the product's name, a measure's name
# (local multiplier 3), and CSS class names given to a block.
SAME_IN_EVERY_LANGUAGE = {"Coproduce", "LM3"}


def _unquote(lines: list[str]) -> str:
    return "".join(re.match(r'^(?:msgid_plural|msgid|msgstr(?:\[\d\])?)?\s*"(.*)"$', line).group(1)
                   for line in lines)


def entries(path: Path) -> list[dict]:
    """The catalogue's entries (not its header): each field's text, and whether it is fuzzy."""
    found = []
    for block in path.read_text().strip("\n").split("\n\n"):
        fields, current, fuzzy = {}, None, False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if line.startswith("#~"):
                fields, current = {}, None
                break
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?)\s", line)
            if match:
                current = match.group(1)
                fields[current] = [line.replace("msgctxt", "msgid", 1)] if current == "msgctxt" else [line]
            elif current:
                fields[current].append(line)
        text = {key: _unquote(value) for key, value in fields.items()}
        if text.get("msgid"):
            found.append({**text, "fuzzy": fuzzy})
    return found


def _key(entry: dict) -> tuple:
    return entry.get("msgctxt", ""), entry["msgid"], entry.get("msgid_plural", "")


@pytest.mark.parametrize("catalogue_path", [
    *(f"locale/{language}/LC_MESSAGES/django.po" for language in LANGUAGES),
    "locale_allauth/cy/LC_MESSAGES/django.po",  # our Welsh for allauth's own words
])
def test_every_string_is_translated_and_none_is_fuzzy(catalogue_path):
    catalogue = entries(ROOT / catalogue_path)
    assert len(catalogue) > 200
    fuzzy = [e["msgid"] for e in catalogue if e["fuzzy"]]
    empty = [e["msgid"] for e in catalogue if any(v == "" for k, v in e.items() if k.startswith("msgstr"))
             or not any(k.startswith("msgstr") for k in e)]
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert not empty, f"{len(empty)} untranslated, e.g. {empty[:5]}"


def test_the_catalogues_hold_every_marked_string(tmp_path, settings, monkeypatch):
    """makemessages run afresh finds no string the committed catalogues lack (so a new string
    cannot ship untranslated), and none they keep that the code no longer has."""
    for language in LANGUAGES:
        target = tmp_path / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(ROOT / "locale" / language / "LC_MESSAGES" / "django.po", target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    monkeypatch.chdir(ROOT)
    call_command("makemessages", locale=list(LANGUAGES), no_obsolete=True, verbosity=0,
                 ignore_patterns=["*/tests/*", "*/migrations/*", "locale/*"])
    for language in LANGUAGES:
        committed = {_key(e) for e in entries(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")}
        fresh = {_key(e) for e in entries(tmp_path / language / "LC_MESSAGES" / "django.po")}
        assert not fresh - committed, f"{language}: not in the catalogue (run make messages): {sorted(fresh - committed)[:5]}"
        assert not committed - fresh, f"{language}: no longer used: {sorted(committed - fresh)[:5]}"


def _readable_text(template: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}", " ", template, flags=re.S)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", " ", text, flags=re.S)
    text = re.sub(r"\{%\s*block body_class\s*%\}.*?\{%\s*endblock\s*%\}", " ", text, flags=re.S)
    text = re.sub(r"\{%\s*blocktranslate.*?%\}.*?\{%\s*endblocktranslate\s*%\}", " ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", text, flags=re.S)
    found = [f"{name}=\"{value}\"" for name, value in re.findall(r'\b(aria-label|title|placeholder|alt)="([^"]*)"', text)
             if re.search(r"[A-Za-z]{2,}", value)]
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    found += [word for word in re.findall(r"\S*[A-Za-z]{2,}\S*", text) if word not in SAME_IN_EVERY_LANGUAGE]
    return found


def test_no_template_has_text_outside_a_translation_tag():
    found = {}
    for path in sorted([*ROOT.rglob("templates/**/*.html"), *ROOT.rglob("templates/**/*.txt")]):
        words = _readable_text(path.read_text())
        if words:
            found[str(path.relative_to(ROOT))] = words[:5]
    assert not found, found


def test_the_template_check_finds_untranslated_text():
    assert _readable_text('<p>Hello {% translate "there" %}</p>') == ["Hello"]
    assert _readable_text('<a aria-label="Close">{% translate "x" %}</a>') == ['aria-label="Close"']
    assert _readable_text('<p>{% blocktranslate %}Hi {{ n }}{% endblocktranslate %} · 3</p>') == []
