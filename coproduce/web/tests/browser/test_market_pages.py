"""Issue 4 (offers, requests, matching; owned by the market app): Every page of offers, requests, checks, messages and e-mail choices passes axe."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from coproduce import testing
from coproduce.conversations.services import report, start_conversation
from coproduce.market.models import Post
from coproduce.market.tests.conftest import post
from coproduce.members.models import Membership
from coproduce.notifications.preferences import unsubscribe_token
from coproduce.safeguarding.services import record_check
from coproduce.web.tests.browser.conftest import login

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_pass_axe(new_browser, riverside, member, second_member, coordinator):
    alice, bob = Membership.objects.get(user=member), Membership.objects.get(user=second_member)
    bob.skills.set([riverside.categories.get(name="Gardening")])
    old = post(member, riverside, title="Help weeding my back garden")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    post(second_member, riverside, title="Lawn mowing", kind="offer")
    conversation = start_conversation(sender=bob, recipient=alice, body="Hello Alice", post=old)
    made = report(community=riverside, reporter=member, reported=second_member, reason="Too pushy",
                  message=conversation.messages.get())
    record_check(bob, actor=coordinator, check_type="enhanced_dbs", checked_on=timezone.localdate(),
                 expires_on=timezone.localdate() + timedelta(days=30), outcome="clear")

    b = new_browser()
    login(b, "alice@example.org", testing.PASSWORD)
    for path in ["/c/riverside/market/", "/c/riverside/market/?q=garden&kind=request&sort=newest",
                 "/c/riverside/market/mine/", "/c/riverside/market/matches/", "/c/riverside/messages/",
                 f"/c/riverside/messages/{conversation.pk}/",
                 f"/c/riverside/messages/{conversation.pk}/report/{conversation.messages.get().pk}/",
                 f"/c/riverside/members/{bob.pk}/report/", f"/c/riverside/market/{old.pk}/message/",
                 "/me/email/"]:
        b.visit(path)
    b.visit(f"/unsubscribe/{unsubscribe_token(member, 'digest')}/")

    c = new_browser()
    login(c, "cora@example.org", testing.PASSWORD, totp=True)
    for path in ["/c/riverside/coordinate/brokerage/", f"/c/riverside/market/{old.pk}/?introduce=Bob",
                 "/c/riverside/coordinate/checks/", f"/c/riverside/coordinate/checks/{bob.pk}/",
                 "/c/riverside/coordinate/reports/", f"/c/riverside/coordinate/reports/{made.pk}/"]:
        c.visit(path)
    assert c.page.get_by_text("Hello Alice").count() == 1  # the reported conversation, shown to the coordinator
