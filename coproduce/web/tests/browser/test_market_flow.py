"""Issue 4 (offers, requests, matching; owned by the market app): A request finds a helper, end to end in Chromium, with axe on every page."""

import os

import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.market.models import Post, PostStatus
from coproduce.members.models import Membership
from coproduce.web.tests.browser.conftest import login

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_request_to_done(new_browser, riverside, member, second_member):
    bob = Membership.objects.get(user=second_member)
    bob.skills.set([riverside.categories.get(name="Gardening")])

    # Alice asks for help.
    alice_b = new_browser()
    login(alice_b, "alice@example.org", testing.PASSWORD)
    page = alice_b.visit("/c/riverside/market/new/")
    page.get_by_label("A request: I'd like help with this").check()
    page.get_by_label("Title").fill("Help weeding my back garden")
    page.get_by_label("More detail").fill("The borders are full of weeds")
    page.get_by_label("Category").select_option(label="Home and garden: Gardening")
    page.get_by_label("Monday morning").check()
    page.get_by_role("button", name="Post").click()
    alice_b.check()
    request = Post.objects.get()
    assert alice_b.path == f"/c/riverside/market/{request.pk}/"

    # Bob sees it among requests that match what he offers, with reasons, and writes.
    bob_b = new_browser()
    login(bob_b, "bob@example.org", testing.PASSWORD)
    page = bob_b.visit("/c/riverside/market/matches/")
    assert page.get_by_text("You offer help with Gardening").count() >= 1
    page.get_by_role("link", name="Help weeding my back garden").click()
    bob_b.check()
    page.get_by_label("Your message").fill("I could come on Monday morning with my tools.")
    page.get_by_role("button", name="Send message").click()
    bob_b.check()
    assert "I could come on Monday morning" in page.content()

    # Alice sees one unread message and replies.
    page = alice_b.visit("/c/riverside/messages/")
    assert page.get_by_text("1 new").count() == 1
    page.get_by_role("link", name="Bob Brown").click()
    alice_b.check()
    page.get_by_label("Your message").fill("Perfect, see you then!")
    page.get_by_role("button", name="Send").click()
    alice_b.check()

    # Bob records the hour he gave (through the ledger's service: its pages belong to the
    # ledger's own browser tests); Alice confirms it on her page.
    from coproduce.ledger.services import new_key, record_exchange

    record_exchange(community=riverside, giver=bob, receiver=Membership.objects.get(user=member), minutes=60,
                    performed_on=timezone.localdate(), keyed_by=second_member, idempotency_key=new_key(),
                    category=request.category, description=request.title)
    page = alice_b.visit("/c/riverside/ledger/pending/")
    page.get_by_role("button", name="Confirm").first.click()
    alice_b.check()

    # Alice closes the request with Bob; it shows done.
    page = alice_b.visit(f"/c/riverside/market/{request.pk}/")
    page.get_by_label("Who did it with you?").select_option(label="Bob Brown")
    page.get_by_role("button", name="Mark as done").click()
    alice_b.check()
    assert page.locator("#post-status").inner_text() == "done"
    request.refresh_from_db()
    assert request.status == PostStatus.DONE and request.helper == bob

    # Alice says thank you; it stays private until Bob chooses to show it.
    page.get_by_label("Say thank you (optional)").fill("Thank you Bob, the garden looks lovely!")
    page.get_by_role("button", name="Send thank-you").click()
    alice_b.check()
    assert "Thank you Bob" in page.content()
