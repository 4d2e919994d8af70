import pytest
from django.core import mail
from django.urls import reverse

from coproduce.conversations.models import Block, Conversation, Message, Report
from coproduce.conversations.queries import unread_count
from coproduce.conversations.services import block, start_conversation
from coproduce.market.models import PostStatus
from coproduce.market.services import withdraw_post
from coproduce.market.tests.conftest import post
from coproduce.members.models import Membership


@pytest.fixture
def alices_request(member, riverside):
    return post(member, riverside, title="Help weeding my garden")


def write(client, post_, body="I could help on Saturday"):
    return client.post(reverse("conversations:start", args=["riverside", post_.pk]), {"body": body})


def test_members_exchange_messages_with_unread_counts_and_email(client, member, second_member, alices_request,
                                                                django_capture_on_commit_callbacks):
    client.force_login(second_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = write(client, alices_request)
    conversation = Conversation.objects.get()
    assert response.url == reverse("conversations:detail", args=["riverside", conversation.pk])
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "I could help on Saturday" in mail.outbox[0].body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    assert unread_count(member) == 1 and unread_count(second_member) == 0

    client.force_login(member)
    inbox = client.get(reverse("conversations:inbox", args=["riverside"])).content.decode()
    assert "Bob Brown" in inbox and "1 new" in inbox
    page = client.get(reverse("conversations:detail", args=["riverside", conversation.pk])).content.decode()
    assert "I could help on Saturday" in page
    assert unread_count(member) == 0
    client.post(reverse("conversations:detail", args=["riverside", conversation.pk]), {"body": "Lovely, thanks"})
    assert unread_count(second_member) == 1
    # Writing again about the same post reuses the conversation.
    client.force_login(second_member)
    write(client, alices_request, "Shall I bring tools?")
    assert Conversation.objects.count() == 1 and Message.objects.count() == 3


@pytest.mark.parametrize("persona", ["outsider", "other_member", "coordinator", "other_coordinator", "site_admin"])
def test_nobody_reads_a_conversation_they_are_not_in(as_persona, second_member, alices_request, persona):
    conversation = start_conversation(sender=Membership.objects.get(user=second_member),
                                      recipient=alices_request.author, body="Hello", post=alices_request)
    response = as_persona(persona).get(reverse("conversations:detail", args=["riverside", conversation.pk]))
    assert response.status_code in (403, 404)
    assert b"Hello" not in response.content


@pytest.mark.parametrize("case,body,error", [
    ("empty", "   ", "This field is required"),
    ("too_long", "x" * 2001, "at most 2000"),
])
def test_bad_messages_write_nothing(client, second_member, alices_request, case, body, error):
    client.force_login(second_member)
    response = write(client, alices_request, body)
    assert error in response.content.decode()
    assert not Message.objects.exists()


def test_messaging_yourself_is_refused(client, member, alices_request):
    client.force_login(member)
    response = write(client, alices_request)
    assert "cannot send a message to yourself" in response.content.decode()
    assert not Message.objects.exists()


def test_withdrawn_post_cannot_be_messaged_about(client, member, second_member, alices_request):
    withdraw_post(alices_request, actor=member)
    client.force_login(second_member)
    response = write(client, alices_request)
    assert "no longer open" in response.content.decode()
    assert not Message.objects.exists()


def test_blocked_member_cannot_message(client, member, second_member, alices_request):
    conversation = start_conversation(sender=Membership.objects.get(user=second_member),
                                      recipient=alices_request.author, body="Hello", post=alices_request)
    client.force_login(member)
    bob = Membership.objects.get(user=second_member)
    client.post(reverse("conversations:block", args=["riverside", bob.pk]))
    assert Block.objects.filter(blocker=member, blocked=second_member).exists()
    client.force_login(second_member)
    response = write(client, alices_request, "Again")
    assert "not taking messages from you" in response.content.decode()
    response = client.post(reverse("conversations:detail", args=["riverside", conversation.pk]), {"body": "Again"})
    assert "blocked" in response.content.decode()
    assert Message.objects.count() == 1


def test_report_goes_to_coordinator_who_then_reads_that_conversation(as_persona, client, member, second_member,
                                                                      alices_request, coordinator):
    conversation = start_conversation(sender=Membership.objects.get(user=second_member),
                                      recipient=alices_request.author, body="Something rude", post=alices_request)
    message = Message.objects.get()
    client.force_login(member)
    url = reverse("conversations:report_message", args=["riverside", conversation.pk, message.pk])
    assert "This field is required" in client.post(url, {"reason": ""}).content.decode()
    client.post(url, {"reason": "This was rude"})
    report = Report.objects.get()
    assert report.reported == second_member and report.message == message
    coordinator_client = as_persona("coordinator")
    queue = coordinator_client.get(reverse("conversations:reports", args=["riverside"])).content.decode()
    assert "Bob Brown" in queue
    detail = coordinator_client.get(reverse("conversations:report", args=["riverside", report.pk])).content.decode()
    assert "Something rude" in detail
    coordinator_client.post(reverse("conversations:report", args=["riverside", report.pk]),
                            {"resolution": "Spoke to Bob"})
    report.refresh_from_db()
    assert report.status == "resolved"


def test_other_coordinator_cannot_see_reports(as_persona, member, second_member, riverside):
    from coproduce.conversations.services import report

    made = report(community=riverside, reporter=member, reported=second_member, reason="Pushy")
    client = as_persona("other_coordinator")
    assert client.get(reverse("conversations:report", args=["riverside", made.pk])).status_code == 403
    assert client.get(reverse("conversations:reports", args=["riverside"])).status_code == 403
    member_client = as_persona("member")
    assert member_client.get(reverse("conversations:reports", args=["riverside"])).status_code == 403


def test_cannot_report_a_message_you_did_not_receive(member, second_member, riverside, alices_request):
    from django.core.exceptions import ValidationError

    from coproduce.conversations.services import report

    start_conversation(sender=Membership.objects.get(user=second_member), recipient=alices_request.author,
                       body="Hi", post=alices_request)
    with pytest.raises(ValidationError):
        report(community=riverside, reporter=second_member, reported=member, reason="x",
               message=Message.objects.get())
    assert not Report.objects.exists()


def test_block_yourself_refused(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        block(blocker=member, blocked=member)


def test_status_after_done(member, second_member, alices_request):
    from coproduce.market.services import complete_post

    complete_post(alices_request, actor=member, helper=Membership.objects.get(user=second_member))
    alices_request.refresh_from_db()
    assert alices_request.status == PostStatus.DONE
