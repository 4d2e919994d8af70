"""Every role's main pages in Welsh and in Spanish (issue 18): the demo community, each page
fetched with the language chosen, says its language in <html lang>, and shows no sentence of
ours left in English: no label, heading or sentence that the catalogue translates appears on
the page as a whole run of text, untranslated."""

import re

import pytest
from django.contrib.auth import get_user_model

from coproduce import testing
from coproduce.demo.logins import DEMO_LOGINS
from coproduce.web.tests.test_translations import ROOT, entries

LANGUAGES = ("cy", "es")


def _english_sentences(language: str) -> set[str]:
    """Our sentences and labels as written in English, where the catalogue translates them
    differently: long enough not to be a name or a single word people also type."""
    found = set()
    for entry in entries(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"):
        text, translated = entry["msgid"], entry.get("msgstr", "")
        if entry.get("msgid_plural") or re.search(r"%[(sd]|\{|<|\\", text) or len(text) < 14:
            continue
        if translated and translated != text:
            found.add(text)
    return found


def _text_nodes(html: str) -> set[str]:
    """Each run of text between tags, as a reader sees it. Whole runs are compared, so a member's
    own words that happen to contain one of our labels ("Collecting prescriptions from the
    chemist") are not mistaken for it."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    found = set()
    for run in re.split(r"<[^>]+>", html):
        run = run.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&").replace("&nbsp;", " ")
        run = re.sub(r"\s+", " ", run).strip().rstrip(":")
        if run:
            found.add(run)
    return found


@pytest.fixture
def demo(db):
    from coproduce.demo.seed import seed_demo

    return seed_demo(members=45, months=3, seed=1, exchanges=100).community


def _pages(community) -> dict[str, list[str]]:
    from coproduce.groups.models import Session
    from coproduce.market.models import Post

    c = f"/c/{community.slug}"
    post = Post.objects.filter(community=community).order_by("pk").first()
    session = (Session.objects.filter(group__community=community,
                                      group__members__membership__user__email=DEMO_LOGINS["facilitator"])
               .order_by("pk").first())
    return {
        "public": ["/", f"{c}/", f"{c}/figures/", "/accounts/login/", "/accounts/signup/"],
        "member": ["/home/", f"{c}/market/", f"{c}/market/{post.pk}/", f"{c}/ledger/", f"{c}/ledger/record/",
                   f"{c}/messages/", f"{c}/groups/", f"{c}/partners/", f"{c}/referrals/", "/me/",
                   f"{c}/directory/", f"{c}/linked/"],
        "facilitator": ["/home/", f"{c}/sessions/{session.pk}/"],
        "coordinator": ["/home/", f"{c}/coordinate/", f"{c}/coordinate/settings/", f"{c}/insights/",
                        f"{c}/ledger/pot/", f"{c}/members/"],
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_roles_pages_show_no_english_sentence(demo, language):
    english = _english_sentences(language)
    assert len(english) > 500
    users = get_user_model().objects
    left = {}
    for role, paths in _pages(demo).items():
        client = testing.Client()
        client.cookies["django_language"] = language
        if role != "public":
            client.force_login(users.get(email=DEMO_LOGINS[role]))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            html = response.content.decode()
            assert f'<html lang="{language}"' in html, (role, path)
            found = sorted(english & _text_nodes(html))
            if found:
                left[f"{role} {path}"] = found[:8]
    assert not left, left


def test_the_check_finds_a_sentence_left_in_english():
    english = _english_sentences("cy")
    sentence = next(iter(sorted(english)))
    assert sentence in _text_nodes(f"<p>Helo. <strong>{sentence}</strong></p>")
    assert sentence not in _text_nodes(f"<p>{sentence} from the chemist</p>")
