from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.conversations.models import Conversation, Message
from coproduce.conversations.services import block, introduce
from coproduce.market import matching, services
from coproduce.market.models import Post, PostKind, PostStatus
from coproduce.market.tests.conftest import category, post
from coproduce.members.models import Membership
from coproduce.safeguarding.models import CheckType, Outcome
from coproduce.safeguarding.services import record_check, set_requirement


def person(riverside, email, name, *, skills=(), skills_text="", availability=0, area=None):
    user = testing.make_person(email, name)
    membership = testing.join(user, riverside, area=area)
    membership.skills.set([category(riverside, s) for s in skills])
    Membership.objects.filter(pk=membership.pk).update(skills_text=skills_text, availability=availability)
    return user


@pytest.fixture
def helpers(riverside, second_member):
    Membership.objects.filter(user=second_member).update(skills_text="mowing and weeding")
    Membership.objects.get(user=second_member).skills.set([category(riverside, "Gardening")])
    carol = person(riverside, "carol@example.org", "Carol Gardener", availability=0b1)
    post(carol, riverside, kind=PostKind.OFFER, title="Garden tidy-ups and weeding", description="I love weeding")
    dave = person(riverside, "dave@example.org", "Dave Driver", skills=["Lifts"])
    return {"bob": second_member, "carol": carol, "dave": dave}


def names(suggestions):
    return [s.membership.user.name for s in suggestions]


def test_suggestions_rank_fit_and_give_reasons(riverside, member, helpers):
    request = post(member, riverside, title="Weeding my garden", availability=0b11)
    suggestions = matching.suggest_for_request(request)
    assert set(names(suggestions)) == {"Bob Brown", "Carol Gardener"}  # Dave offers lifts only
    carol = next(s for s in suggestions if s.membership.user == helpers["carol"])
    assert carol.offer.title == "Garden tidy-ups and weeding"
    text = " ".join(carol.reasons)
    assert "offers help with Gardening" in text
    assert "“weeding”" in text  # the words the person wrote, not their stems
    assert "is free when you asked: Monday morning" in text
    assert "is new and has not had a first exchange yet" in text
    assert all(0 < s.score <= 1 for s in suggestions)


def test_neighbouring_area_counts_but_less_than_same(riverside, member):
    north, south = riverside.areas.order_by("code")
    north.latitude, north.longitude, south.latitude, south.longitude = 51.5, -0.1, 51.51, -0.1
    north.save()
    south.save()
    far = riverside.areas.create(code="E05000099", name="Far Away", latitude=52.5, longitude=-1.5)
    request = post(member, riverside, title="Weeding", area=north)
    same = person(riverside, "s@example.org", "Same Area", skills=["Gardening"], area=north)
    near = person(riverside, "n@example.org", "Near Area", skills=["Gardening"], area=south)
    person(riverside, "f@example.org", "Far Area", skills=["Gardening"], area=far)
    by_name = {s.membership.user.name: s for s in matching.suggest_for_request(request)}
    assert by_name["Same Area"].score > by_name["Near Area"].score > by_name["Far Area"].score
    assert "lives nearby, in Riverside South" in by_name["Near Area"].reasons
    assert same and near


def test_blocked_people_are_never_suggested(riverside, member, helpers):
    block(blocker=helpers["carol"], blocked=member)
    request = post(member, riverside, title="Weeding my garden")
    assert "Carol Gardener" not in names(matching.suggest_for_request(request))


def test_requests_that_match_what_you_offer(as_persona, riverside, member, helpers):
    post(member, riverside, title="Weeding my garden")
    post(member, riverside, title="Lift to town", category_name="Lifts")
    results = matching.requests_for_member(Membership.objects.get(user=helpers["bob"]))
    assert [r.title for r, _s in results] == ["Weeding my garden"]
    assert "you offer help with Gardening" in results[0][1].reasons  # addressed to the helper
    response = as_persona("second_member").get(reverse("market:matches", args=["riverside"]))
    assert "Weeding my garden" in response.content.decode()
    assert "Lift to town" not in response.content.decode()


@pytest.fixture
def second_member_client(client, second_member):
    client.force_login(second_member)
    return client


class TestSafeguarding:
    @pytest.fixture
    def care(self, riverside, coordinator, member, helpers):
        gardening = category(riverside, "Gardening")
        set_requirement(gardening, actor=coordinator, check_type=CheckType.ENHANCED_DBS)
        carol = Membership.objects.get(user=helpers["carol"])
        record_check(carol, actor=coordinator, check_type=CheckType.ENHANCED_DBS,
                     checked_on=timezone.localdate() - timedelta(days=10),
                     expires_on=timezone.localdate() + timedelta(days=300), outcome=Outcome.CLEAR)
        return post(member, riverside, title="Weeding my garden")

    def test_only_checked_members_are_suggested(self, care, helpers):
        assert names(matching.suggest_for_request(care)) == ["Carol Gardener"]

    @pytest.mark.parametrize("how", ["expired", "not_clear", "wrong_type"])
    def test_invalid_checks_do_not_count(self, care, helpers, coordinator, riverside, how):
        bob = Membership.objects.get(user=helpers["bob"])
        today = timezone.localdate()
        record_check(bob, actor=coordinator,
                     check_type=CheckType.BASIC_DBS if how == "wrong_type" else CheckType.ENHANCED_DBS,
                     checked_on=today - timedelta(days=400),
                     expires_on=today - timedelta(days=1) if how == "expired" else None,
                     outcome=Outcome.NOT_CLEAR if how == "not_clear" else Outcome.CLEAR)
        assert "Bob Brown" not in names(matching.suggest_for_request(care))
        assert matching.requests_for_member(bob) == []

    def test_unchecked_member_cannot_be_introduced_or_recorded(self, care, helpers, coordinator, as_persona):
        bob = Membership.objects.get(user=helpers["bob"])
        with pytest.raises(ValidationError, match="needs a valid enhanced DBS check"):
            introduce(care, bob, actor=coordinator)
        with pytest.raises(ValidationError, match="needs a valid enhanced DBS check"):
            services.complete_post(care, actor=care.author.user, helper=bob)
        response = as_persona("coordinator").post(
            reverse("conversations:introduce", args=["riverside", care.pk, bob.pk]), follow=True)
        assert "needs a valid enhanced DBS check" in response.content.decode()
        assert not Conversation.objects.exists()
        care.refresh_from_db()
        assert care.status == PostStatus.OPEN

    def test_search_to_introduce_lists_only_checked_members(self, care, helpers, as_persona):
        client = as_persona("coordinator")
        url = reverse("market:detail", args=["riverside", care.pk])
        assert "Introduce Bob Brown" not in client.get(url, {"introduce": "Bob"}).content.decode()
        assert "Introduce Carol Gardener" in client.get(url, {"introduce": "carol"}).content.decode()
        assert "Introduce Alice" not in client.get(url, {"introduce": "Alice"}).content.decode()  # the author

    def test_checked_member_is_introduced(self, care, helpers, coordinator, as_persona):
        carol = Membership.objects.get(user=helpers["carol"])
        response = as_persona("coordinator").post(reverse("conversations:introduce", args=["riverside", care.pk, carol.pk]))
        assert response.status_code == 302
        conversation = Conversation.objects.get()
        assert set(conversation.participants.values_list("user__name", flat=True)) == {"Alice Ashby",
                                                                                       "Carol Gardener"}
        assert Message.objects.get().sender == coordinator
        care.refresh_from_db()
        assert care.status == PostStatus.MATCHED and care.helper == carol
        assert AuditEntry.objects.filter(action=AuditAction.INTRODUCED).count() == 1


def test_brokerage_queue_lists_old_unmatched_requests_oldest_first(as_persona, riverside, member, helpers):
    old = post(member, riverside, title="Old weeding request")
    older = post(member, riverside, title="Older weeding request")
    post(member, riverside, title="Brand new weeding request")
    now = timezone.now()
    Post.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=8))
    Post.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=20))
    coordinator = as_persona("coordinator")
    body = coordinator.get(reverse("market:brokerage", args=["riverside"])).content.decode()
    assert body.index("Older weeding request") < body.index("Old weeding request")
    assert "Brand new weeding request" not in body
    # Each request's helpers follow the page (htmx), with its own page as the way without JavaScript.
    fragment = reverse("market:brokerage_suggestions", args=["riverside", older.pk])
    assert f'hx-get="{fragment}"' in body and f'href="/c/riverside/market/{older.pk}/"' in body
    part = coordinator.get(fragment, headers={"HX-Request": "true"}).content.decode()
    assert "Introduce Carol Gardener" in part and "<html" not in part


def test_brokerage_suggestions_are_for_this_communitys_open_requests_only(as_persona, riverside, hilltop, member,
                                                                          other_member, helpers):
    theirs = post(other_member, hilltop, title="Hilltop weeding")
    done = post(member, riverside, title="Weeding, found someone")
    Post.objects.filter(pk=done.pk).update(status=PostStatus.DONE)
    coordinator = as_persona("coordinator")
    for pk in (theirs.pk, done.pk):
        assert coordinator.get(reverse("market:brokerage_suggestions", args=["riverside", pk])).status_code == 404


def test_record_check_bad_input(riverside, member, coordinator):
    alice = Membership.objects.get(user=member)
    with pytest.raises(ValidationError):
        record_check(alice, actor=coordinator, check_type="enhanced_dbs", checked_on=date(2030, 1, 1),
                     outcome="clear")
    with pytest.raises(ValidationError):
        record_check(alice, actor=coordinator, check_type="enhanced_dbs", checked_on=date(2020, 1, 1),
                     expires_on=date(2019, 1, 1), outcome="clear")
    assert not alice.checks.exists()
