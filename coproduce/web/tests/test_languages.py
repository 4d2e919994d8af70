"""Choosing a language (issue 18, points 2 and 4): the switcher on every page keeps you on the same
page, a person's choice is remembered on their profile and asked at sign-up, a community sets its
default, e-mails follow the recipient, and dates, times and plurals follow the language."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from coproduce import testing
from coproduce.accounts.models import User
from coproduce.communities.services import update_community_settings
from coproduce.conversations import services as conversations
from coproduce.lib.duration import format_duration, parse_duration
from coproduce.members.models import Membership


def _lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_switcher_keeps_the_page_and_the_lang_attribute_follows(riverside):
    client = Client()
    page = client.get("/c/riverside/")
    assert _lang(page) == "en-gb"
    assert 'lang="cy"' in page.content.decode() and "Cymraeg" in page.content.decode()
    response = client.post("/language/", {"language": "cy", "next": "/c/riverside/?tab=1"})
    assert response.status_code == 302 and response["Location"] == "/c/riverside/?tab=1"
    page = client.get("/c/riverside/")
    assert _lang(page) == "cy"
    with translation.override("cy"):
        assert gettext("Skip to main content") in page.content.decode()
    page = client.get("/c/riverside/", HTTP_ACCEPT_LANGUAGE="es")  # the switcher beats the browser
    assert _lang(page) == "cy"
    # Another site's address is not followed.
    response = client.post("/language/", {"language": "es", "next": "https://elsewhere.example/"})
    assert response["Location"] == "/"


def test_a_logged_in_persons_choice_is_kept_on_their_profile_and_used_anywhere(riverside, member):
    client = testing.Client()
    client.force_login(member)
    client.post("/language/", {"language": "es", "next": "/home/"})
    member.refresh_from_db()
    assert member.language == "es"
    other_browser = testing.Client()  # no cookie here: the profile decides
    other_browser.force_login(member)
    assert _lang(other_browser.get("/c/riverside/", HTTP_ACCEPT_LANGUAGE="en")) == "es"


def test_a_community_in_welsh_shows_its_pages_in_welsh_until_someone_chooses(riverside, coordinator):
    update_community_settings(riverside, actor=coordinator, default_language="cy")
    assert _lang(Client().get("/c/riverside/", HTTP_ACCEPT_LANGUAGE="en-GB")) == "cy"
    # An English-speaking community leaves the browser's wish alone.
    update_community_settings(riverside, actor=coordinator, default_language="en-gb")
    assert _lang(Client().get("/c/riverside/", HTTP_ACCEPT_LANGUAGE="es")) == "es"


def test_the_community_settings_page_sets_the_default_language(riverside, coordinator, client):
    client.force_login(coordinator)
    page = client.get("/c/riverside/coordinate/settings/")
    assert page.status_code == 200 and 'name="default_language"' in page.content.decode()


def test_sign_up_asks_which_language(db):
    client = Client()
    page = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="es")
    assert 'name="language"' in page.content.decode()
    client.post("/accounts/signup/", {"name": "Dee", "email": "dee@example.org", "password1": testing.PASSWORD,
                                      "password2": testing.PASSWORD, "language": "cy"})
    assert User.objects.get(email="dee@example.org").language == "cy"


def test_coordinators_see_and_record_a_members_language(riverside, coordinator, client):
    client.force_login(coordinator)
    response = client.post("/c/riverside/coordinate/assisted/new/", {
        "name": "Gwen Jones", "contact_preference": "coordinator", "language": "cy", "area": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    gwen = User.objects.get(name="Gwen Jones")
    assert gwen.language == "cy"
    membership = Membership.objects.get(user=gwen)
    with translation.override("en-gb"):
        page = client.get(f"/c/riverside/members/{membership.pk}/").content.decode()
    assert "Language for pages and e-mails" in page and "Cymraeg" in page


def test_an_email_to_a_welsh_speaker_is_in_welsh_while_the_sender_uses_english(riverside, member, second_member,
                                                                               django_capture_on_commit_callbacks):
    member.language = "cy"
    member.save(update_fields=["language"])
    alice = Membership.objects.get(user=member, community=riverside)
    bob = Membership.objects.get(user=second_member, community=riverside)
    with translation.override("en-gb"), django_capture_on_commit_callbacks(execute=True):
        conversations.start_conversation(sender=bob, recipient=alice, body="Can you help on Tuesday?")
    [message] = mail.outbox
    with translation.override("cy"):
        subject = gettext("New message from %(name)s") % {"name": "Bob Brown"}
        footer = gettext("Stop e-mails like this one: %(link)s").split("%(link)s")[0]
    assert subject != "New message from Bob Brown"
    assert message.subject.endswith(subject)
    assert footer.strip() in message.body


def test_a_members_email_follows_their_communitys_language_when_they_chose_none(
        riverside, coordinator, member, second_member, django_capture_on_commit_callbacks):
    update_community_settings(riverside, actor=coordinator, default_language="es")
    alice = Membership.objects.get(user=member, community=riverside)
    bob = Membership.objects.get(user=second_member, community=riverside)
    with django_capture_on_commit_callbacks(execute=True):
        conversations.start_conversation(sender=bob, recipient=alice, body="Hola")
    with translation.override("es"):
        assert mail.outbox[0].subject.endswith(gettext("New message from %(name)s") % {"name": "Bob Brown"})


@pytest.mark.parametrize("language, day, duration", [
    ("cy", "30 Tachwedd 2026", "1 awr 30 munud"),
    ("es", "30 de noviembre de 2026", "1 hora 30 minutos"),
    ("en-gb", "30 Nov 2026", "1 hour 30 minutes"),
])
def test_dates_and_times_follow_the_language(language, day, duration):
    with translation.override(language):
        assert date_format(datetime.date(2026, 11, 30), "DATE_FORMAT") == day
        assert format_duration(90) == duration
        assert parse_duration(duration) == 90  # what we write, members may type back


def test_welsh_plurals_take_the_form_the_number_asks_for():
    """Four forms, chosen by Welsh's own rule (1; 2, with the soft mutation; most; 8 and 11),
    never by "if n == 1"."""
    singular, plural = "signed %(count)s person up for opportunities", "signed %(count)s people up for opportunities"
    with translation.override("cy"):
        forms = {n: ngettext(singular, plural, n) % {"count": n} for n in (1, 2, 3, 8)}
    assert forms[2] == "wedi cofrestru 2 berson ar gyfer cyfleoedd", forms
    assert forms[3] == "wedi cofrestru 3 person ar gyfer cyfleoedd", forms


@pytest.mark.parametrize("language", ["es", "cy", "en-gb"])
def test_a_thousand_hours_shown_in_a_form_reads_back(language):
    """Spanish groups thousands with a no-break space: a form must take back what it showed."""
    with translation.override(language):
        assert parse_duration(format_duration(72030)) == 72030


def test_changing_the_communitys_language_and_a_translation_together_keeps_both(riverside, coordinator, client):
    from coproduce.communities.forms import CommunitySettingsForm

    form = CommunitySettingsForm(instance=riverside)
    data = {name: form.fields[name].prepare_value(form[name].value()) for name in form.fields
            if "__" not in name and form[name].value() is not None}
    client.force_login(coordinator)
    response = client.post("/c/riverside/coordinate/settings/", {
        **data, "default_language": "cy", "name__cy": "Banc Amser Glan yr Afon"})
    assert response.status_code == 302, response.context["form"].errors
    riverside.refresh_from_db()
    assert riverside.default_language == "cy"
    assert riverside.translations["cy"]["name"] == "Banc Amser Glan yr Afon"


def test_a_language_cookie_left_by_someone_else_is_not_taken_at_log_in(riverside, member):
    """On a shared computer the cookie outlives the person: only a choice made in this visit
    before logging in goes on the profile."""
    browser = Client()
    browser.cookies["django_language"] = "es"  # the last person's
    browser.post("/accounts/login/", {"login": member.email, "password": testing.PASSWORD})
    member.refresh_from_db()
    assert member.language == ""
    browser.post("/accounts/logout/")
    browser.post("/language/", {"language": "cy", "next": "/"})  # chosen now, then logging in
    browser.post("/accounts/login/", {"login": member.email, "password": testing.PASSWORD})
    member.refresh_from_db()
    assert member.language == "cy"


def test_a_community_offers_its_texts_in_the_languages_it_chose(riverside, coordinator, client):
    """Issue 18, point 3: "in each enabled language". Riverside writes in English and Welsh:
    its forms ask for Welsh texts, not Spanish, and Spanish ones saved before are kept (offering
    Spanish again brings them back)."""
    from coproduce.communities.models import Category

    gardening = Category.objects.get(community=riverside, name="Gardening")
    update_community_settings(riverside, actor=coordinator, languages=["en-gb", "cy"])
    client.force_login(coordinator)
    page = client.get(f"/c/riverside/coordinate/categories/{gardening.pk}/rename/").content.decode()
    assert 'name="name__cy"' in page and 'name="name__es"' not in page
    page = client.get("/c/riverside/groups/new/").content.decode()
    assert 'name="description__cy"' in page and 'name="description__es"' not in page
    response = client.post(f"/c/riverside/coordinate/categories/{gardening.pk}/rename/",
                           {"name": "Gardening", "name__cy": "Garddio a thocio"})
    assert response.status_code == 302
    gardening.refresh_from_db()
    assert gardening.translations == {"cy": {"name": "Garddio a thocio"}, "es": {"name": "Jardinería"}}


def test_a_community_always_writes_in_its_own_language(riverside, coordinator, client):
    from coproduce.communities.forms import CommunitySettingsForm

    form = CommunitySettingsForm(instance=riverside)
    data = {name: form.fields[name].prepare_value(form[name].value()) for name in form.fields
            if "__" not in name and form[name].value() is not None}
    client.force_login(coordinator)
    page = client.get("/c/riverside/coordinate/settings/").content.decode()
    assert 'type="checkbox" name="languages" value="es"' in page
    response = client.post("/c/riverside/coordinate/settings/", {**data, "default_language": "cy",
                                                                  "languages": ["es"]})
    assert response.status_code == 302, response.context["form"].errors
    riverside.refresh_from_db()
    assert riverside.languages == ["cy", "es"]
    response = client.post("/c/riverside/coordinate/settings/", {**data, "languages": ["xx"]})
    assert response.status_code == 200 and response.context["form"].errors["languages"]
    riverside.refresh_from_db()
    assert riverside.languages == ["cy", "es"]  # nothing changed
