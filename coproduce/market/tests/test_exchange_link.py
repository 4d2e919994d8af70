"""Closing the loop (issue 4, point 6): an exchange recorded about a request marks it done."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coproduce.ledger import services as ledger
from coproduce.ledger.models import Transfer
from coproduce.market.models import Post, PostStatus
from coproduce.market.services import create_post, record_exchange_about
from coproduce.members.models import Membership


@pytest.fixture
def people(riverside, member, second_member):
    return tuple(Membership.objects.get(user=u, community=riverside) for u in (member, second_member))


@pytest.fixture
def request_post(people):
    alice, _bob = people
    return create_post(author=alice, actor=alice.user, kind="request", title="Help with my garden", category=alice.community.categories.get(name="Gardening"),
                       description="The hedge is overgrown.")


def test_receiver_records_from_the_request_page_and_it_is_done(as_persona, riverside, people, request_post):
    _alice, bob = people
    client = as_persona("member")  # Alice, whose request it is
    page = client.get(reverse("market:detail", args=["riverside", request_post.pk]))
    link = reverse("market:record_exchange", args=["riverside", request_post.pk])
    assert link in page.content.decode()
    form_page = client.get(link)
    assert "Help with my garden" in form_page.content.decode()
    response = client.post(link, {
        "token": "t-1", "direction": "received", "other": f"#{bob.pk}", "minutes": 90,
        "performed_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    request_post.refresh_from_db()
    assert request_post.status == PostStatus.DONE and request_post.helper == bob
    assert request_post.exchange.status == "posted"


def test_giver_records_it_waits_and_the_request_is_done_on_confirmation(riverside, people, request_post,
                                                                       django_capture_on_commit_callbacks):
    alice, bob = people
    transfer = record_exchange_about(request_post, community=riverside, giver=bob, receiver=alice, minutes=60,
                                     performed_on=timezone.localdate(), keyed_by=bob.user,
                                     idempotency_key="g-1")
    request_post.refresh_from_db()
    assert transfer.status == "pending" and request_post.status == PostStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):  # done once the confirmation commits
        ledger.confirm_exchange(transfer, user=alice.user)
    request_post.refresh_from_db()
    assert request_post.status == PostStatus.DONE and request_post.helper == bob


def test_a_post_between_other_people_is_refused_and_nothing_is_written(riverside, people, coordinator):
    alice, bob = people
    carol = Membership.objects.get(user=coordinator)
    someone_elses = create_post(author=carol, actor=carol.user, kind="request", title="Lift to the clinic",
                                 category=riverside.categories.get(name="Lifts"))
    with pytest.raises(ValidationError, match="not between the two of you"):
        record_exchange_about(someone_elses, community=riverside, giver=bob, receiver=alice, minutes=60,
                              performed_on=timezone.localdate(), keyed_by=alice.user, idempotency_key="x-1")
    assert not Transfer.objects.exists()
    assert Post.objects.get(pk=someone_elses.pk).status == PostStatus.OPEN


def test_the_page_title_is_just_the_post_title_for_coordinators(as_persona, riverside, request_post):
    page = as_persona("coordinator").get(reverse("market:detail", args=["riverside", request_post.pk]))
    html = page.content.decode()
    title = html[html.index("<title>") + 7:html.index("</title>")]
    assert title.startswith("Help with my garden") and "<" not in title
