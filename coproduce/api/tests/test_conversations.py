"""Conversations through the API: the inbox and a conversation's messages (scope "read", only for
the people in it: not coordinators, not anyone else), and writing (scope "posts") through the
conversations' own services: a reply, a first message about an offer or request, or a direct
message, refused by blocks and by a member's contact preference as the pages refuse them."""

import pytest

from coproduce import testing
from coproduce.accounts.models import ContactPreference
from coproduce.api.tests.client import errors, get, queries_for, send, token
from coproduce.conversations import services
from coproduce.conversations.models import Conversation, Message, Participant
from coproduce.market.tests.conftest import post
from coproduce.partners.tests.fixtures import membership

BASE = "/api/v1/communities/riverside"


@pytest.fixture
def talk(riverside, member, second_member):
    """Alice wrote to Bob about his request; Bob answered."""
    request = post(second_member, riverside, title="Weeding my garden")
    conversation = services.start_conversation(sender=membership(member, riverside),
                                               recipient=membership(second_member, riverside),
                                               body="I can help on Saturday", post=request)
    services.reply(conversation, sender=second_member, body="Lovely, thank you")
    return conversation


def test_my_inbox_and_a_conversations_messages(client, member, second_member, talk):
    raw = token(member, ("read",))
    inbox = get(client, raw, f"{BASE}/conversations")
    assert inbox.status_code == 200, inbox.json()
    [row] = inbox.json()["results"]
    assert row["id"] == talk.pk and row["other_name"] == "Bob Brown" and row["unread"] == 1
    assert row["post_title"] == "Weeding my garden"
    messages = get(client, raw, f"{BASE}/conversations/{talk.pk}/messages")
    assert messages.status_code == 200
    assert [(m["sender"], m["mine"], m["body"]) for m in messages.json()["results"]] == [
        ("Alice Ashby", True, "I can help on Saturday"), ("Bob Brown", False, "Lovely, thank you")]
    # Reading marks it read, as opening it on the site does.
    assert get(client, raw, f"{BASE}/conversations").json()["results"][0]["unread"] == 0


def test_only_the_people_in_a_conversation_read_or_write_in_it(client, riverside, coordinator, other_member, talk):
    carol = testing.make_person("carol@example.org", "Carol Third")
    testing.join(carol, riverside)
    url = f"{BASE}/conversations/{talk.pk}/messages"
    for raw in (token(carol), token(coordinator, two_factor_done=True)):
        assert get(client, raw, url).status_code == 404
        assert send(client, raw, url, body="Hello").status_code == 404
    assert get(client, token(other_member), url).status_code == 403  # not a member here
    assert get(client, None, url).status_code == 401
    assert Message.objects.count() == 2
    assert get(client, token(carol), f"{BASE}/conversations").json()["count"] == 0


def test_a_reply_needs_the_posts_scope_and_is_sent(client, member, second_member, talk):
    url = f"{BASE}/conversations/{talk.pk}/messages"
    refused = send(client, token(member, ("read",)), url, body="See you then")
    assert refused.status_code == 403 and "posts" in errors(refused)["detail"][0]
    sent = send(client, token(member, ("posts",)), url, body="See you then")
    assert sent.status_code == 201, sent.json()
    assert sent.json()["mine"] and sent.json()["body"] == "See you then"
    assert list(Message.objects.filter(conversation=talk).values_list("body", flat=True))[-1] == "See you then"
    # Bob sees one more unread message.
    assert get(client, token(second_member, ("read",)), f"{BASE}/conversations").json()["results"][0]["unread"] == 1


@pytest.mark.parametrize(("body", "field"), [({"body": "   "}, "body"), ({"body": "x" * 2001}, "body"), ({}, "body")])
def test_a_bad_message_names_its_field_and_sends_nothing(client, member, talk, body, field):
    response = send(client, token(member), f"{BASE}/conversations/{talk.pk}/messages", **body)
    assert response.status_code == 400 and field in errors(response), response.json()
    assert Message.objects.count() == 2


def test_writing_about_a_post_starts_a_conversation_with_its_author_once(client, riverside, member, second_member):
    request = post(second_member, riverside, title="A lift to the surgery", category_name="Lifts")
    url = f"{BASE}/posts/{request.pk}/messages"
    first = send(client, token(member), url, body="I drive that way on Tuesdays")
    assert first.status_code == 201, first.json()
    assert first.json()["other_name"] == "Bob Brown" and first.json()["post"] == request.pk
    again = send(client, token(member), url, body="Or Thursdays")
    assert again.json()["id"] == first.json()["id"]  # the same conversation goes on
    assert Message.objects.filter(conversation_id=first.json()["id"]).count() == 2
    assert set(Participant.objects.filter(conversation_id=first.json()["id"]).values_list("user__name", flat=True)) \
        == {"Alice Ashby", "Bob Brown"}
    own = send(client, token(second_member), url, body="Hello me")
    assert own.status_code == 400 and errors(own)  # the service: not to yourself
    assert send(client, token(member, ("read",)), url, body="Hi").status_code == 403
    assert send(client, token(member), f"{BASE}/posts/999999/messages", body="Hi").status_code == 404


def test_a_direct_message_respects_blocks_and_contact_preferences(client, riverside, member, second_member):
    bob = membership(second_member, riverside)
    url = f"{BASE}/members/{bob.pk}/messages"
    sent = send(client, token(member), url, body="Hello Bob")
    assert sent.status_code == 201 and sent.json()["post"] is None
    services.block(blocker=second_member, blocked=member)
    blocked = send(client, token(member), url, body="Hello again")
    assert blocked.status_code == 403 and "not taking messages" in errors(blocked)["detail"][0]
    services.unblock(blocker=second_member, blocked=member)
    type(second_member).objects.filter(pk=second_member.pk).update(contact_preference=ContactPreference.COORDINATOR)
    through = send(client, token(member), url, body="Hello again")
    assert through.status_code == 403 and "coordinator" in errors(through)["detail"][0]
    assert Message.objects.count() == 1
    assert send(client, token(member), f"{BASE}/members/999999/messages", body="Hi").status_code == 404


def test_other_communities_are_refused(client, other_member, hilltop, talk):
    assert get(client, token(other_member), f"{BASE}/conversations").status_code == 403
    hill = Conversation.objects.create(community=hilltop)
    Participant.objects.create(conversation=hill, user=other_member)
    # Their own conversation, named under a community they are not in: refused there.
    assert get(client, token(other_member), f"{BASE}/conversations/{hill.pk}/messages").status_code == 403


def test_the_inbox_costs_the_same_queries_for_few_and_many_conversations(client, riverside, member):
    raw = token(member, ("read",))
    me = membership(member, riverside)

    def someone_writes(n):
        user = testing.make_person(f"p{n}@example.org", f"Person {n}")
        services.start_conversation(sender=testing.join(user, riverside), recipient=me, body=f"Hello {n}")

    def call():
        return get(client, raw, f"{BASE}/conversations")

    someone_writes(0)
    queries_for(client, call)
    few = queries_for(client, call)
    for n in range(1, 30):
        someone_writes(n)
    assert call().json()["count"] == 30
    assert queries_for(client, call) == few


def test_a_conversations_messages_cost_the_same_queries_for_few_and_many(client, member, second_member, talk):
    raw = token(member, ("read",))

    def call():
        return get(client, raw, f"{BASE}/conversations/{talk.pk}/messages")

    queries_for(client, call)
    few = queries_for(client, call)
    for n in range(60):
        services.reply(talk, sender=second_member if n % 2 else member, body=f"Message {n}")
    assert call().json()["count"] == 62
    assert queries_for(client, call) == few
