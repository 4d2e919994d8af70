from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.market.models import Post, PostKind, PostStatus
from coproduce.market.tests.conftest import post
from coproduce.members.models import Membership
from coproduce.notifications import preferences, services
from coproduce.notifications.models import DigestSent, Kind, Preference
from coproduce.notifications.tasks import send_email

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_tasks_queue_in_the_database_and_the_worker_sends_them(settings, member, monkeypatch):
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # The worker recycles connections between tasks; inside the test's transaction it must not.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = DATABASE_TASKS
    result = send_email.enqueue(member.pk, Kind.MESSAGES, "Hello", "Body")
    assert mail.outbox == []  # queued, not sent: a restart of the web server loses nothing
    assert DBTaskResult.objects.filter(id=result.id, status="READY").exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert [m.subject for m in mail.outbox] == ["[Coproduce] Hello"]
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"


def test_match_suggestion_email_names_the_reasons(riverside, member, second_member,
                                                  django_capture_on_commit_callbacks):
    bob = Membership.objects.get(user=second_member)
    bob.skills.set([riverside.categories.get(name="Gardening")])
    with django_capture_on_commit_callbacks(execute=True):
        post(member, riverside, title="Weeding my garden")
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert "offers help with Gardening" in mail.outbox[0].body


def test_preferences_page_switches_a_kind_off(as_persona, member, second_member, riverside,
                                              django_capture_on_commit_callbacks):
    client = as_persona("second_member")
    response = client.post(reverse("notifications:preferences"),
                           {"email-messages": "on", "email-exchanges": "on", "email-expiring": "on",
                            "email-digest": "on"})
    assert response.status_code == 302
    assert Preference.objects.get(user=second_member).matches is False
    Membership.objects.get(user=second_member).skills.set([riverside.categories.get(name="Gardening")])
    with django_capture_on_commit_callbacks(execute=True):
        post(member, riverside, title="Weeding my garden")
    assert mail.outbox == []


def test_one_click_unsubscribe_without_logging_in(client, member):
    token = preferences.unsubscribe_token(member, Kind.DIGEST)
    url = reverse("notifications:unsubscribe", args=[token])
    assert client.get(url).status_code == 200
    assert services.wants(member, Kind.DIGEST)  # a GET (link preview) changes nothing
    assert client.post(url).status_code == 200
    assert not services.wants(member, Kind.DIGEST) and services.wants(member, Kind.MESSAGES)
    assert client.post(reverse("notifications:unsubscribe", args=[token + "x"])).status_code == 404


def test_expiry_notice_once_then_expired(riverside, member, django_capture_on_commit_callbacks):
    soon = post(member, riverside, title="Weeding")
    Post.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_notices() == 1
        assert services.send_expiry_notices() == 0
    assert len(mail.outbox) == 1 and "closes on" in mail.outbox[0].body
    services.send_expiry_notices(now=timezone.now() + timedelta(days=4))
    soon.refresh_from_db()
    assert soon.status == PostStatus.EXPIRED


def test_weekly_digest_one_per_community(riverside, hilltop, member, second_member, other_member,
                                         django_capture_on_commit_callbacks):
    testing.join(second_member, hilltop)
    post(member, riverside, title="Riverside weeding")
    post(other_member, hilltop, title="Hilltop lift", kind=PostKind.OFFER, category_name="Lifts")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_weekly_digests()
        services.send_weekly_digests()  # running twice sends nothing more
    to_bob = sorted(m.subject for m in mail.outbox if m.to == ["bob@example.org"])
    assert to_bob == ["[Coproduce] This week in Hilltop Time Bank", "[Coproduce] This week in Riverside Time Bank"]
    assert DigestSent.objects.filter(user=second_member).count() == 2


@pytest.mark.parametrize("persona,expected", [("anonymous", 302), ("member", 200)])
def test_preferences_needs_login(as_persona, persona, expected):
    assert as_persona(persona).get(reverse("notifications:preferences")).status_code == expected



def _ends_with_preferences_link(message, settings) -> bool:
    last = message.body.rstrip().splitlines()[-1]
    return last == f"Choose which e-mails you get: {settings.SITE_URL}{reverse('notifications:preferences')}"


def test_every_email_ends_with_the_preferences_link(settings, client, riverside, member, second_member,
                                                     coordinator, applicant,
                                                     django_capture_on_commit_callbacks):
    from coproduce.conversations.services import start_conversation
    from coproduce.ledger import services as ledger
    from coproduce.members.models import Application
    from coproduce.members.services import approve_application

    alice, bob = Membership.objects.get(user=member), Membership.objects.get(user=second_member)
    bob.skills.set([riverside.categories.get(name="Gardening")])
    with django_capture_on_commit_callbacks(execute=True):
        weeding = post(member, riverside, title="Weeding my garden")  # a match for Bob
        start_conversation(sender=alice, recipient=bob, body="Hello Bob")  # a new message
        ledger.record_exchange(community=riverside, giver=alice, receiver=bob, minutes=60,  # to confirm
                               performed_on=timezone.localdate(), keyed_by=member,
                               idempotency_key=ledger.new_key())
        Post.objects.filter(pk=weeding.pk).update(expires_at=timezone.now() + timedelta(days=3))
        services.send_expiry_notices()  # closes soon
        services.send_weekly_digests()  # Bob's digest
        approve_application(Application.objects.get(user=applicant), actor=coordinator)  # welcome
    client.post(reverse("account_reset_password"), {"email": "bob@example.org"})  # allauth's own
    kinds = {"Could you help?", "New message", "Please confirm", "closes soon", "This week in", "Welcome to",
             "Password Reset"}
    seen = {kind for kind in kinds for m in mail.outbox if kind in m.subject}
    assert seen == kinds, [m.subject for m in mail.outbox]
    for message in mail.outbox:
        assert _ends_with_preferences_link(message, settings), message.body
    # The notifications keep their one-click unsubscribe link and headers.
    notices = [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]
    assert len(notices) >= 5  # one of each kind, and a digest for each member with news
    for message in notices:
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert f"Stop e-mails like this one: {link}" in message.body


def test_header_links_to_email_choices_for_people_who_are_logged_in(as_persona):
    url = reverse("notifications:preferences")
    home = as_persona("member").get(reverse("my_home")).content.decode()
    assert f'href="{url}">E-mail choices</a>' in home
    page = as_persona("member").get(url).content.decode()
    assert f'href="{url}" aria-current="page">E-mail choices</a>' in page
    assert url not in as_persona("anonymous").get(reverse("account_login")).content.decode()
