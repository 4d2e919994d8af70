import random

from coproduce import testing
from coproduce.conversations.models import Conversation
from coproduce.demo.market import seed_market
from coproduce.market.models import Post
from coproduce.market.queries import search_posts
from coproduce.safeguarding.models import Check
from coproduce.safeguarding.services import expiring_checks


def test_seed_market_adds_searchable_posts_checks_and_conversations(riverside, coordinator,
                                                                    django_capture_on_commit_callbacks):
    for i in range(12):
        testing.join(testing.make_person(f"m{i}@example.org", f"Member {i}"), riverside)
    with django_capture_on_commit_callbacks(execute=True):
        counts = seed_market(riverside, random.Random(3), posts=60, conversations=3)
    assert counts == {"posts": 60, "checks": 16, "conversations": 3}
    assert Post.objects.filter(community=riverside).count() == 60
    some = Post.objects.filter(community=riverside).order_by("pk").first()
    assert some in search_posts(riverside, query=some.title)  # bulk-inserted posts are searchable
    assert Conversation.objects.count() == 3 and Check.objects.count() == 16
    assert expiring_checks(riverside).count() >= 2
