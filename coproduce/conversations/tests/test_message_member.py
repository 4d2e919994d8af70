"""Writing to a member from their profile or the directory (issue 13, point 7): who may, who sees
the button, and what they see instead (a block, "through the coordinator", an assisted member)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce import testing
from coproduce.accounts.models import ContactPreference
from coproduce.conversations.models import Block, Conversation, Message
from coproduce.conversations.queries import unread_count
from coproduce.conversations.services import block, start_conversation
from coproduce.market.tests.conftest import post
from coproduce.members.models import Membership

User = get_user_model()


def membership(user, community="riverside") -> Membership:
    return Membership.objects.select_related("user").get(user=user, community__slug=community)


def message_url(target: Membership) -> str:
    return reverse("conversations:message_member", args=[target.community.slug, target.pk])


def profile_of(client, target: Membership) -> str:
    return client.get(
        reverse("members:profile", args=[target.community.slug, target.pk])
    ).content.decode()


def directory_card(client, name: str) -> str:
    """The directory entry of one person (the text between their name and the next entry)."""
    page = client.get(reverse("members:directory", args=["riverside"])).content.decode()
    start = page.index(f">{name}</a>")
    end = page.find('<li class="card">', start)
    return page[start : end if end != -1 else None]


BUTTON = 'Send a message<span class="govuk-visually-hidden"> to {}</span>'


def test_a_member_writes_from_the_profile_and_the_same_conversation_opens_next_time(
    client, member, second_member
):
    bob = membership(second_member)
    client.force_login(member)
    assert BUTTON.format("Bob Brown") in profile_of(client, bob)
    assert message_url(bob) in directory_card(client, "Bob Brown")

    page = client.get(message_url(bob))
    assert page.status_code == 200 and "Write to Bob Brown" in page.content.decode()
    response = client.post(message_url(bob), {"body": "Would you like a hand with the shopping?"})
    conversation = Conversation.objects.get()
    assert response.url == reverse("conversations:detail", args=["riverside", conversation.pk])
    assert conversation.post is None and unread_count(second_member) == 1

    # The button now opens the conversation they already have, rather than a second one.
    assert client.get(message_url(bob)).url == response.url
    client.post(message_url(bob), {"body": "Or a lift?"})
    assert Conversation.objects.count() == 1 and Message.objects.count() == 2


def test_a_conversation_about_an_offer_is_not_the_direct_one(
    client, member, second_member, riverside
):
    offer = post(second_member, riverside, title="Lifts to the surgery")
    start_conversation(
        sender=membership(member), recipient=offer.author, body="About the lifts", post=offer
    )
    client.force_login(member)
    assert (
        client.get(message_url(membership(second_member))).status_code == 200
    )  # a new, separate thread
    client.post(message_url(membership(second_member)), {"body": "Something else"})
    assert Conversation.objects.count() == 2


def test_an_empty_message_is_a_form_error_and_nothing_is_sent(client, member, second_member):
    client.force_login(member)
    response = client.post(message_url(membership(second_member)), {"body": "   "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "persona,status",
    [
        ("anonymous", 302),  # to the log-in page
        ("outsider", 403),
        ("other_member", 403),  # a member of another community
        ("other_coordinator", 403),
        ("site_admin", 403),  # acts everywhere, but writes from no membership
        ("coordinator", 200),
    ],
)
def test_who_may_open_the_message_page(as_persona, member, persona, status):
    response = as_persona(persona).get(message_url(membership(member)))
    assert response.status_code == status
    if persona == "anonymous":
        assert "/accounts/login/" in response.url


@pytest.mark.parametrize("persona", ["outsider", "other_member", "site_admin", "anonymous"])
def test_nobody_outside_the_community_can_send(as_persona, member, persona):
    as_persona(persona).post(message_url(membership(member)), {"body": "Hello"})
    assert not Message.objects.exists()


def test_a_member_of_another_community_is_not_found_through_this_one(client, member, other_member):
    client.force_login(member)
    olga = membership(other_member, "hilltop")
    url = reverse("conversations:message_member", args=["riverside", olga.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Hello"}).status_code == 404
    assert not Message.objects.exists()


def test_someone_who_left_is_not_found(client, member, second_member):
    from coproduce.members.services import leave_community

    bob = membership(second_member)
    leave_community(bob, actor=second_member)
    client.force_login(member)
    assert client.get(message_url(bob)).status_code == 404


def test_the_coordinator_writes_to_a_member(as_persona, member):
    client = as_persona("coordinator")
    alice = membership(member)
    assert BUTTON.format("Alice Ashby") in profile_of(client, alice)
    response = client.post(message_url(alice), {"body": "Welcome to the time bank"})
    assert response.status_code == 302
    assert unread_count(member) == 1


def test_no_button_to_yourself_and_the_page_says_why(client, member):
    alice = membership(member)
    client.force_login(member)
    assert "Send a message" not in profile_of(client, alice)
    assert "Send a message" not in directory_card(client, "Alice Ashby")
    response = client.post(message_url(alice), {"body": "Note to self"})
    assert response.status_code == 403
    assert "You cannot send a message to yourself." in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "who_blocks,reason",
    [
        ("recipient", "Bob Brown is not taking messages from you."),
        ("sender", "You have blocked Bob Brown. Unblock them first to send a message."),
    ],
)
def test_a_block_either_way_removes_the_button_and_refuses_the_message(
    client, member, second_member, who_blocks, reason
):
    if who_blocks == "recipient":
        block(blocker=second_member, blocked=member)
    else:
        block(blocker=member, blocked=second_member)
    bob = membership(second_member)
    client.force_login(member)
    assert "Send a message" not in profile_of(client, bob)
    card = directory_card(client, "Bob Brown")
    assert "Send a message" not in card and reason in card
    response = client.post(message_url(bob), {"body": "Hello?"})
    assert response.status_code == 403 and reason in response.content.decode()
    assert not Message.objects.exists()
    # The person blocked also gets no button the other way round.
    client.force_login(second_member)
    assert "Send a message" not in profile_of(client, membership(member))


def test_a_block_between_others_changes_nothing_for_me(client, member, second_member, coordinator):
    block(blocker=second_member, blocked=coordinator)
    client.force_login(member)
    assert BUTTON.format("Bob Brown") in profile_of(client, membership(second_member))


def test_through_the_coordinator_names_the_coordinator_instead(
    client, member, second_member, coordinator
):
    User.objects.filter(pk=second_member.pk).update(
        contact_preference=ContactPreference.COORDINATOR
    )
    bob = membership(second_member)
    client.force_login(member)
    page = profile_of(client, bob)
    assert "Send a message" not in page
    assert "Bob Brown would rather be contacted through a coordinator." in page
    coordinator_profile = reverse("members:profile", args=["riverside", membership(coordinator).pk])
    assert f'<a href="{coordinator_profile}">Cora Coordinator</a>' in page
    assert "would rather be contacted through a coordinator" in directory_card(client, "Bob Brown")
    response = client.post(message_url(bob), {"body": "Hello"})
    assert response.status_code == 403
    assert not Message.objects.exists()

    # The coordinator is the way in they asked for.
    client.force_login(coordinator)
    assert BUTTON.format("Bob Brown") in profile_of(client, bob)
    assert client.post(message_url(bob), {"body": "Hello Bob"}).status_code == 302
    assert unread_count(second_member) == 1


def test_an_assisted_member_shows_whom_to_contact(
    client, member, assisted_member, coordinator, riverside
):
    second = testing.make_person("cleo@example.org", "Cleo Second")
    testing.join(second, riverside, role="coordinator")  # only the one who registered Edna is named
    edna = membership(assisted_member)
    client.force_login(member)
    page = profile_of(client, edna)
    assert "Send a message" not in page
    assert "Edna Elder does not use messages here." in page
    assert "Cora Coordinator</a>" in page and "Cleo Second" not in page
    assert client.post(message_url(edna), {"body": "Hello Edna"}).status_code == 403

    # Nobody would read it: coordinators reach Edna by phone or in person, not by message.
    client.force_login(coordinator)
    assert "Send a message" not in profile_of(client, edna)
    assert client.post(message_url(edna), {"body": "Hello Edna"}).status_code == 403
    assert not Message.objects.exists()


def test_the_service_refuses_direct_messages_the_page_would_not_offer(
    member, assisted_member, second_member, riverside
):
    alice = membership(member)
    with pytest.raises(ValidationError, match="does not use messages here"):
        start_conversation(sender=alice, recipient=membership(assisted_member), body="Hi")
    User.objects.filter(pk=second_member.pk).update(
        contact_preference=ContactPreference.COORDINATOR
    )
    with pytest.raises(ValidationError, match="through a coordinator"):
        start_conversation(sender=alice, recipient=membership(second_member), body="Hi")
    # Answering someone's offer is still how they asked to be reached.
    offer = post(second_member, riverside, title="Gardening")
    start_conversation(sender=alice, recipient=offer.author, body="About the gardening", post=offer)
    assert Message.objects.count() == 1


def add_members(community, count, *, prefix, blocker):
    """Members of every kind the directory decides about: some blocked, some reached through a
    coordinator, some assisted (bulk rows, as the services would have written them)."""
    people = User.objects.bulk_create(
        User(
            email=f"{prefix}{i}@example.org",
            name=f"Person {prefix}{i}",
            password="!",
            contact_preference=ContactPreference.COORDINATOR
            if i % 3 == 0
            else ContactPreference.EMAIL,
            is_assisted=False,
        )
        for i in range(count)
    )
    assisted = User.objects.bulk_create(
        User(email=None, name=f"Assisted {prefix}{i}", password="!", is_assisted=True)
        for i in range(count // 5)
    )
    Membership.objects.bulk_create(
        Membership(community=community, user=user) for user in people + assisted
    )
    Block.objects.bulk_create(
        [Block(blocker=blocker, blocked=u) for u in people[::4]]
        + [Block(blocker=u, blocked=blocker) for u in people[1::4]]
    )


def directory_queries(client) -> int:
    url = reverse("members:directory", args=["riverside"])
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_directory_decides_every_button_in_a_constant_number_of_queries(
    client, riverside, member, coordinator
):
    client.force_login(member)
    add_members(riverside, 8, prefix="a", blocker=member)
    with_ten = directory_queries(client)
    add_members(riverside, 40, prefix="b", blocker=member)
    assert Membership.objects.filter(community=riverside).count() >= 50
    with_fifty = directory_queries(client)
    assert with_fifty == with_ten
    page = client.get(reverse("members:directory", args=["riverside"])).content.decode()
    assert page.count("Send a message<span") >= 5  # the buttons are really there, not skipped
    assert "does not use messages here" in page and "not taking messages from you" in page
