import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.market import services
from coproduce.market.models import Post, PostStatus
from coproduce.market.tests.conftest import category, post
from coproduce.members.models import Membership
from coproduce.testing import LOGIN, PERSONAS, assert_status


def test_member_posts_a_request_through_the_form(as_persona, riverside, gardening):
    client = as_persona("member")
    response = client.post(reverse("market:new", args=["riverside"]), {
        "kind": "request", "title": "Weeding a small garden", "description": "An hour or two",
        "category": gardening.pk, "area": "", "availability": ["0", "3"], "duration_minutes": "1.5"})
    created = Post.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("market:detail", args=["riverside", created.pk])
    assert created.status == PostStatus.OPEN and created.area is None and created.availability == 0b1001
    assert created.duration_minutes == 90
    assert "1 hour 30 minutes" in as_persona("member").get(response.url).content.decode()
    assert (created.expires_at - created.created_at).days == 90
    assert not AuditEntry.objects.filter(action=AuditAction.POST_CREATED).exists()  # own post: no audit


@pytest.mark.parametrize("field,value,message", [
    ("title", "", "This field is required"),
    ("title", "x" * 121, "at most 120"),
    ("description", "y" * 2001, "at most 2000"),
    ("duration_minutes", "5 min", "Enter at least 15 minutes."),
    ("duration_minutes", "25 hours", "Enter at most 24 hours."),
    ("duration_minutes", "a while", "Enter a time such as 1:30, 1.5 hours or 90 minutes."),
])
def test_bad_input_writes_nothing(as_persona, riverside, gardening, field, value, message):
    data = {"kind": "offer", "title": "Gardening", "category": gardening.pk, "duration_minutes": "60", field: value}
    response = as_persona("member").post(reverse("market:new", args=["riverside"]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_category_from_another_community_is_refused(as_persona, riverside, hilltop, member):
    foreign = category(hilltop, "Gardening")
    response = as_persona("member").post(reverse("market:new", args=["riverside"]), {
        "kind": "offer", "title": "Gardening", "category": foreign.pk, "duration_minutes": "60"})
    assert "Choose one of this community&#x27;s categories." in response.content.decode()
    with pytest.raises(ValidationError):
        services.create_post(author=Membership.objects.get(user=member), actor=member, kind="offer",
                             title="Gardening", category=foreign)
    assert not Post.objects.exists()


def test_whitespace_title_is_refused_by_the_service(member, riverside):
    with pytest.raises(ValidationError):
        post(member, riverside, title="   ")
    assert not Post.objects.exists()


def test_renew_and_withdraw(as_persona, riverside, request_post):
    client = as_persona("member")
    Post.objects.filter(pk=request_post.pk).update(status=PostStatus.EXPIRED)
    assert client.post(reverse("market:renew", args=["riverside", request_post.pk])).status_code == 302
    request_post.refresh_from_db()
    assert request_post.status == PostStatus.OPEN
    client.post(reverse("market:withdraw", args=["riverside", request_post.pk]))
    request_post.refresh_from_db()
    assert request_post.status == PostStatus.WITHDRAWN
    # A withdrawn post cannot be renewed or withdrawn again: a clear error, nothing changes.
    response = client.post(reverse("market:renew", args=["riverside", request_post.pk]), follow=True)
    assert "Only open or lapsed" in response.content.decode()
    request_post.refresh_from_db()
    assert request_post.status == PostStatus.WITHDRAWN


def test_coordinator_posts_and_withdraws_for_an_assisted_member_audited(as_persona, riverside, assisted_member,
                                                                         gardening, coordinator):
    edna = Membership.objects.get(user=assisted_member)
    client = as_persona("coordinator")
    response = client.post(reverse("market:new_for", args=["riverside", edna.pk]), {
        "kind": "request", "title": "Lift to the surgery", "category": category(riverside, "Lifts").pk,
        "duration_minutes": "60"})
    assert response.status_code == 302
    created = Post.objects.get()
    assert created.author == edna and created.posted_by == coordinator
    client.post(reverse("market:withdraw", args=["riverside", created.pk]))
    entries = AuditEntry.objects.filter(on_behalf_of=assisted_member).values_list("action", flat=True)
    assert set(entries) >= {AuditAction.POST_CREATED, AuditAction.POST_WITHDRAWN}


def test_coordinator_cannot_post_for_a_member_who_is_not_assisted(as_persona, riverside, member):
    alice = Membership.objects.get(user=member)
    assert as_persona("coordinator").get(reverse("market:new_for", args=["riverside", alice.pk])).status_code == 404


def _urls(post_pk, member_pk):
    return [
        ("browse", "get", reverse("market:browse", args=["riverside"]), (LOGIN, 403, 200, 403, 200, 403, 200)),
        ("detail", "get", reverse("market:detail", args=["riverside", post_pk]), (LOGIN, 403, 200, 403, 200, 403, 200)),
        ("new", "get", reverse("market:new", args=["riverside"]), (LOGIN, 403, 200, 403, 200, 403, 302)),
        ("matches", "get", reverse("market:matches", args=["riverside"]), (LOGIN, 403, 200, 403, 200, 403, 200)),
        ("brokerage", "get", reverse("market:brokerage", args=["riverside"]), (LOGIN, 403, 403, 403, 200, 403, 200)),
        ("brokerage-suggestions", "get", reverse("market:brokerage_suggestions", args=["riverside", post_pk]),
         (LOGIN, 403, 403, 403, 200, 403, 200)),
        ("withdraw-others", "post", reverse("market:withdraw", args=["riverside", post_pk]),
         (LOGIN, 403, 404, 403, 404, 403, 404)),
    ]


PERMISSION_ROWS = ["browse", "detail", "new", "matches", "brokerage", "brokerage-suggestions", "withdraw-others"]


@pytest.mark.parametrize("row", PERMISSION_ROWS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(as_persona, riverside, second_member, row, persona, request, hilltop):
    bobs = post(second_member, riverside, title="Bob needs a lift", category_name="Lifts")
    urls = {name: (method, url, expected) for name, method, url, expected in _urls(bobs.pk, 0)}
    method, url, expected = urls[row]
    client = as_persona(persona)
    response = getattr(client, method)(url)
    assert_status(response, expected[PERSONAS.index(persona)])
    bobs.refresh_from_db()
    assert bobs.status == PostStatus.OPEN


def test_post_of_another_community_is_404(as_persona, hilltop, other_member, riverside, member):
    theirs = post(other_member, hilltop, title="Hilltop only")
    assert as_persona("member").get(reverse("market:detail", args=["riverside", theirs.pk])).status_code == 404


