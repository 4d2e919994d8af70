"""The member journey in Welsh and in Spanish (issue 18): choose the language on the log-in page,
log in, post an offer, record an exchange; the other member confirms it. Every page is axe-clean,
says its language in <html lang>, and shows none of the English words of the pages' furniture.
The words the test looks for are read from the catalogues, so it checks what a member sees."""

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from coproduce import testing
from coproduce.ledger.models import Transfer, TransferStatus
from coproduce.market.models import Post
from coproduce.members.models import Membership
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser

NAMES = {"cy": "Cymraeg", "es": "Español"}
# Words on every page in English that must not be left in another language's pages.
FURNITURE = ["Skip to main content", "Offers and requests", "Time credits", "Messages", "Log out", "Menu"]


def _t(language: str, text: str, context: str | None = None) -> str:
    with translation.override(language):
        found = pgettext(context, text) if context else gettext(text)
    assert found != text, f"{text!r} is not translated into {language}"
    return found


def _in_language(b, language: str) -> None:
    b.check()
    page = b.page
    assert page.locator("html").get_attribute("lang") == language
    text = page.locator("body").inner_text()
    left = [word for word in FURNITURE if word in text]
    assert not left, f"English left on {b.path}: {left}"


@pytest.mark.parametrize("language", ["cy", "es"])
def test_the_member_journey_in_another_language(new_browser, riverside, member, second_member, language):
    alice = Membership.objects.get(user=member, community=riverside)
    b = new_browser(viewport={"width": 390, "height": 844})
    page = b.visit("/accounts/login/")
    page.get_by_role("button", name=NAMES[language]).click()
    _in_language(b, language)
    assert b.path == "/accounts/login/"  # the same page, now in the chosen language
    page.locator("input[name=login]").fill(member.email)
    page.locator("input[name=password]").fill(testing.PASSWORD)
    page.locator("form button[type=submit]").last.click()
    _in_language(b, language)
    member.refresh_from_db()
    assert member.language == language  # chosen before logging in, kept on the profile from now on

    page = b.visit("/c/riverside/market/new/")
    _in_language(b, language)
    page.get_by_label(_t(language, "An offer: I can help with this")).check()
    page.get_by_label(_t(language, "Title")).fill("Gwaith garddio / Jardinería")
    page.get_by_label(_t(language, "Category")).select_option(index=1)
    page.get_by_role("button", name=_t(language, "Post"), exact=True).click()
    _in_language(b, language)
    assert Post.objects.filter(author=alice, title="Gwaith garddio / Jardinería").exists()

    page = b.visit("/c/riverside/ledger/record/")
    _in_language(b, language)
    page.get_by_label(_t(language, "I helped them (they will be asked to confirm)")).check()
    page.get_by_label(_t(language, "The other member")).fill("Bob Brown")
    page.get_by_label(_t(language, "How long")).fill({"cy": "1 awr", "es": "1 hora"}[language])
    page.get_by_role("button", name=_t(language, "Record"), exact=True).click()
    _in_language(b, language)
    transfer = Transfer.objects.get()
    assert transfer.status == TransferStatus.PENDING and transfer.proposed

    bob = new_browser()
    second_member.language = language
    second_member.save(update_fields=["language"])
    force_login(bob, second_member)
    page = bob.visit("/c/riverside/ledger/pending/")
    _in_language(bob, language)
    page.get_by_role("button", name=_t(language, "Confirm"), exact=True).click()
    _in_language(bob, language)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.POSTED
