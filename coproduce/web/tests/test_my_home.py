"""Issue 13: a home page per role, the landing page after logging in, and the header's counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.conversations.services import mark_read, start_conversation
from coproduce.groups import services as groups
from coproduce.ledger.services import new_key, record_exchange
from coproduce.market.models import PostKind
from coproduce.market.tests.conftest import post
from coproduce.partners import services as partners
from coproduce.partners.tests.fixtures import membership
from coproduce.referrals.services import make_referral

HOME = "/home/"
MATCHING = "/home/riverside/matching/"


def _m(user, community):
    return membership(user, community)


def _home(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def _text(response) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _exchange(community, giver, receiver, minutes=60, *, keyed_by=None, days_ago=1):
    return record_exchange(community=community, giver=giver, receiver=receiver, minutes=minutes,
                           performed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
                           keyed_by=keyed_by or receiver.user, idempotency_key=new_key())


# --- Landing and reaching the page ---------------------------------------------------------------

def test_anonymous_visitor_sees_the_time_banks_and_not_a_home(client, riverside, hilltop):
    response = client.get("/")
    assert response.status_code == 200
    assert "Riverside Time Bank" in response.content.decode()
    assert client.get(HOME).status_code == 302
    assert client.get(HOME)["Location"].startswith("/accounts/login/")


def test_logged_in_person_at_the_front_door_goes_home_and_still_finds_every_time_bank(client, member, hilltop):
    client.force_login(member)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == HOME
    listing = client.get("/time-banks/")
    assert listing.status_code == 200 and "Hilltop Time Bank" in listing.content.decode()
    assert 'href="/time-banks/"' in client.get(HOME).content.decode()


def test_member_login_lands_on_home(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": testing.PASSWORD})
    assert response.status_code == 302 and response.url == HOME


def test_coordinator_login_with_two_factor_lands_on_home(client, coordinator):
    from django.test import Client

    fresh = Client()
    response = testing.login_with_two_factor(fresh, coordinator)
    assert response.url == HOME
    assert fresh.get(HOME).status_code == 200


def test_home_link_is_first_in_the_header_on_every_page(client, member, riverside):
    client.force_login(member)
    for path in (HOME, "/c/riverside/market/", "/me/"):
        page = client.get(path).content.decode()
        nav = page[page.index('<ul class="govuk-service-navigation__list nav">'):]
        first = nav[nav.index("<li"):nav.index("</li>")]
        assert 'href="/home/"' in first, path
    home = client.get(HOME).content.decode()
    assert 'href="/home/" aria-current="page"' in home  # nothing waits: no count, no label
    market = client.get("/c/riverside/market/").content.decode()
    assert 'href="/c/riverside/market/" aria-current="page"' in market
    assert 'href="/home/" aria-current' not in market


# --- The member ----------------------------------------------------------------------------------

def test_newcomer_is_shown_a_first_step(client, member, riverside):
    response = _home(client, member)
    text = _text(response)
    assert "Your first exchange" in text
    assert "Offer something you can do" in text and "Ask for help" in text
    page = response.content.decode()
    assert 'href="/c/riverside/market/new/?kind=offer"' in page
    assert 'href="/c/riverside/market/new/?kind=request"' in page


def test_member_sees_balance_and_what_waits(client, member, second_member, riverside):
    alice, bob = _m(member, riverside), _m(second_member, riverside)
    _exchange(riverside, alice, bob, 90)  # keyed by Bob, the receiver: posted
    _exchange(riverside, bob, alice, 30, keyed_by=second_member)  # keyed by Bob, the giver: Alice confirms
    start_conversation(sender=bob, recipient=alice, body="Hello Alice, thank you!")
    request = post(member, riverside, title="Help with my shopping", category_name="Gardening")
    response = _home(client, member)
    home = response.context["home"]
    section = home.communities[0].member
    assert section.balance == 90
    assert not section.newcomer
    assert section.to_confirm_count == 1 and section.unread == 1
    assert [p.pk for p in section.posts] == [request.pk]
    text = _text(response)
    assert "Your first exchange" not in text
    assert "1 exchange to confirm" in text
    assert "1 unread message" in text
    assert "Help with my shopping" in text
    assert home.communities[0].coordinator is None and home.communities[0].partners == []


def test_member_sees_requests_matching_what_they_offer_and_next_sessions(client, member, second_member, riverside,
                                                                         coordinator):
    alice = _m(member, riverside)
    post(member, riverside, kind=PostKind.OFFER, title="Weeding and pruning", category_name="Gardening")
    wanted = post(second_member, riverside, title="Someone to weed my garden", category_name="Gardening")
    group = testing.accept_invitations(groups.create_group(community=riverside, actor=coordinator,
                                                           name="Walk and talk"))
    groups.join_group(group, membership=alice)
    start = timezone.now() + datetime.timedelta(days=3)
    session = groups.add_session(group, actor=coordinator, starts_at=start,
                                 ends_at=start + datetime.timedelta(hours=1), capacity=5, place="The park")
    groups.book(session, membership=alice)
    section = _home(client, member).context["home"].communities[0].member
    assert [s.pk for s in section.sessions] == [session.pk]
    assert section.sessions[0].my_booking == "booked"
    matching = client.get(MATCHING, headers={"HX-Request": "true"}).context["matching"]
    assert [r.pk for r, _s in matching.matches] == [wanted.pk]


def test_matching_follows_the_page_and_works_as_a_page_without_javascript(client, member, second_member,
                                                                          riverside):
    _m(member, riverside)
    _m(second_member, riverside)
    mine = post(member, riverside, title="Someone to weed my garden", category_name="Gardening")
    post(second_member, riverside, kind=PostKind.OFFER, title="Weeding and pruning", category_name="Gardening")
    home = _text(_home(client, member))
    assert "Someone to weed my garden" in home
    assert "Weeding and pruning" not in home  # not scored while the page is made...
    assert f'hx-get="{MATCHING}"' in _home(client, member).content.decode()  # ...but fetched right after
    fragment = client.get(MATCHING, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert [r.pk for r, _s in fragment.context["matching"].helpers] == [mine.pk]
    assert second_member.name in _text(fragment)  # a neighbour who might help
    page = client.get(MATCHING)  # the no-JavaScript link: a whole page
    assert "<html" in page.content.decode() and second_member.name in _text(page)


def test_matching_is_each_members_own(client, member, other_member, coordinator, riverside, hilltop):
    assert client.get(MATCHING)["Location"].startswith("/accounts/login/")
    client.force_login(other_member)  # a member of another time bank
    assert client.get(MATCHING).status_code == 404
    client.force_login(coordinator)  # coordinators have their own section, no matching
    assert client.get(MATCHING).status_code == 404
    _m(member, riverside)
    client.force_login(member)
    assert client.get("/home/hilltop/matching/").status_code == 404
    assert client.get(MATCHING).status_code == 200


def test_member_sees_only_their_own_communities(client, member, other_member, hilltop, riverside):
    home = _home(client, member).context["home"]
    assert [c.community.slug for c in home.communities] == ["riverside"]
    assert "Hilltop" not in _text(client.get(HOME))


def test_person_in_two_communities_sees_one_page_with_a_section_each(client, member, riverside, hilltop,
                                                                    other_coordinator):
    testing.join(member, hilltop)
    response = _home(client, member)
    slugs = [c.community.slug for c in response.context["home"].communities]
    assert slugs == ["hilltop", "riverside"]
    page = response.content.decode()
    assert 'id="member-riverside"' in page and 'id="member-hilltop"' in page
    assert 'id="coordinator-' not in page


def test_outsider_is_invited_to_find_a_time_bank(client, outsider, riverside):
    response = _home(client, outsider)
    assert response.context["home"].communities == []
    assert "You have not joined a time bank yet" in _text(response)
    assert 'href="/time-banks/"' in response.content.decode()


# --- The coordinator -----------------------------------------------------------------------------

def test_coordinator_sees_the_days_queues_and_this_month_beside_last(client, coordinator, member, second_member,
                                                                   riverside, applicant):
    alice, bob = _m(member, riverside), _m(second_member, riverside)
    _exchange(riverside, alice, bob, 120, days_ago=0)
    response = _home(client, coordinator)
    home = response.context["home"]
    [here] = home.communities
    assert here.member is None
    queues = here.coordinator
    assert queues.applications == 1
    assert queues.approvals == 0 and queues.reports == 0 and queues.brokerage == 0
    assert queues.this_month.minutes == 120 and queues.this_month.exchanges == 1
    assert queues.last_month.minutes == 0
    text = _text(response)
    assert "1 membership application" in text
    assert "Today's queues" in text


def test_coordinator_queues_count_what_the_queue_pages_list(client, coordinator, member, second_member, riverside):
    from coproduce.conversations.services import report
    from coproduce.market.models import Post

    alice, bob = _m(member, riverside), _m(second_member, riverside)
    old = post(member, riverside, title="Help moving a sofa")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    conversation = start_conversation(sender=bob, recipient=alice, body="Rude words")
    report(community=riverside, reporter=member, reported=second_member, reason="Unkind",
           message=conversation.messages.first())
    queues = _home(client, coordinator).context["home"].communities[0].coordinator
    assert queues.brokerage == 1
    assert queues.reports == 1
    assert queues.outreach == 2  # Alice and Bob have never exchanged


def test_coordinator_of_another_community_sees_nothing_of_riverside(client, other_coordinator, riverside, applicant):
    home = _home(client, other_coordinator).context["home"]
    assert [c.community.slug for c in home.communities] == ["hilltop"]
    assert home.communities[0].coordinator.applications == 0
    assert "Riverside" not in _text(client.get(HOME))


def test_member_has_no_coordinator_section(client, member, riverside, applicant):
    page = _home(client, member).content.decode()
    assert 'id="coordinator-riverside"' not in page and "membership application" not in page


# --- Partner staff -------------------------------------------------------------------------------

def test_partner_staff_see_opportunities_signups_referrals_and_balance(client, riverside, staff, surgery, member,
                                                                        coordinator):
    alice = _m(member, riverside)
    opportunity = partners.post_opportunity(surgery, actor=staff, title="Welcome desk volunteer",
                                            starts_on=timezone.localdate() + datetime.timedelta(days=5),
                                            places_needed=3)
    partners.sign_up(opportunity, membership=alice, actor=member)
    make_referral(surgery, actor=staff, reason="isolation", consent=True, name="Vera Visitor",
                  contact="01234 000000")
    record_exchange(community=riverside, giver=alice, receiver=surgery, minutes=60,
                    performed_on=timezone.localdate() - datetime.timedelta(days=2), keyed_by=coordinator,
                    idempotency_key=new_key())
    response = _home(client, staff)
    [here] = response.context["home"].communities
    [section] = here.partners
    assert here.member is None  # partner staff are not shown a member's section
    assert section.organisation == surgery
    assert [o.pk for o in section.opportunities] == [opportunity.pk]
    assert {s: n for s, _l, n in section.referrals_by_step}["received"] == 1
    assert section.balance == -60
    assert [e.amount for e in section.movements] == [-60]
    text = _text(response)
    assert "Welcome desk volunteer" in text and "1 of 3 signed up" in text and "Alice Ashby" in text
    assert "Vera" not in text  # counts by step only


def test_staff_who_left_lose_the_partner_section(client, riverside, surgery, coordinator):
    from coproduce.partners.tests.fixtures import _staff

    user = _staff("lee@example.org", "Lee Left", riverside, coordinator, surgery)
    partners.end_staff(user.staff_roles.get(), actor=coordinator)
    home = _home(client, user).context["home"]
    assert all(not c.partners for c in home.communities)


def test_member_sees_no_partner_section(client, member, riverside, surgery):
    assert all(not c.partners for c in _home(client, member).context["home"].communities)


# --- The facilitator -----------------------------------------------------------------------------

@pytest.fixture
def facilitated(riverside, coordinator, member):
    alice = _m(member, riverside)
    group = testing.accept_invitations(groups.create_group(community=riverside, actor=coordinator,
                                                           name="Carers' circle", facilitators=[alice]))
    start = timezone.now() - datetime.timedelta(hours=3)
    past = groups.add_session(group, actor=member, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                              capacity=4, place="Library")
    start = timezone.now() + datetime.timedelta(days=2)
    coming = groups.add_session(group, actor=member, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                                capacity=4, place="Library")
    return group, past, coming


def test_facilitator_sees_next_sessions_and_registers_still_to_take(client, member, riverside, facilitated):
    _group, past, coming = facilitated
    response = _home(client, member)
    section = response.context["home"].communities[0].facilitator
    assert [s.pk for s in section.registers] == [past.pk]
    assert [s.pk for s in section.sessions] == [coming.pk]
    assert reverse("groups:register", args=["riverside", past.pk]) in response.content.decode()
    groups.record_attendance(past, actor=member, present=[_m(member, riverside)], idempotency_key=new_key())
    section = client.get(HOME).context["home"].communities[0].facilitator
    assert section.registers == [] and section.registers_count == 0


def test_group_member_who_does_not_facilitate_has_no_facilitator_section(client, second_member, riverside,
                                                                         facilitated):
    group, _past, _coming = facilitated
    groups.join_group(group, membership=_m(second_member, riverside))
    home = _home(client, second_member).context["home"]
    assert home.communities[0].facilitator is None


# --- Header counts -------------------------------------------------------------------------------

def test_header_counts_unread_messages_and_things_waiting(client, member, second_member, riverside):
    alice, bob = _m(member, riverside), _m(second_member, riverside)
    client.force_login(member)
    page = client.get("/c/riverside/market/").content.decode()
    assert 'class="badge"' not in page
    conversation = start_conversation(sender=bob, recipient=alice, body="Hello!")
    _exchange(riverside, bob, alice, 30, keyed_by=second_member)
    page = client.get("/c/riverside/market/").content.decode()
    # Seen as "Messages 1", heard as "Messages, 1 unread".
    assert 'aria-label="Messages, 1 unread"' in page and '<span class="badge">1</span>' in page
    assert 'aria-label="Home, 2 things waiting for you"' in page
    mark_read(conversation, member)
    page = client.get("/c/riverside/market/").content.decode()
    assert 'aria-label="Messages' not in page
    assert 'aria-label="Home, 1 thing waiting for you"' in page


def test_coordinate_link_counts_what_waits_for_coordinators(client, coordinator, riverside, applicant):
    client.force_login(coordinator)
    page = client.get("/c/riverside/members/").content.decode()
    assert 'aria-label="Coordinate, 1 waiting"' in page


def _navigation(user, path, slug=None):
    """The header of ``path`` as ``user`` sees it, after the view's own permission check."""
    from django.test import RequestFactory
    from django.urls import resolve

    from coproduce.members.permissions import access_for
    from coproduce.web.navigation import Navigation

    request = RequestFactory().get(path)
    request.user, request.resolver_match = user, resolve(path)
    if slug:
        access_for(request, slug)
    return Navigation(request)


def test_the_header_reads_all_its_counts_in_one_query(coordinator, member, second_member, riverside, applicant):
    from coproduce.conversations.models import Report
    from coproduce.conversations.services import report
    from coproduce.ledger.models import Transfer
    from coproduce.members.models import Application

    alice, bob = _m(member, riverside), _m(second_member, riverside)
    start_conversation(sender=bob, recipient=alice, body="Hello!")
    _exchange(riverside, bob, alice, 30, keyed_by=second_member)  # waits for Alice's answer
    report(community=riverside, reporter=member, reported=second_member, reason="Rude")
    waiting_here = (Application.objects.filter(community=riverside, status="pending").count()
                    + Transfer.objects.filter(community=riverside, status="held").count()
                    + Report.objects.filter(community=riverside, status="open").count())
    assert waiting_here == 2  # the application and the report

    nav = _navigation(coordinator, "/c/riverside/members/", "riverside")
    with CaptureQueriesContext(connection) as queries:
        assert (nav.waiting, nav.unread_here, nav.coordination_here) == (0, 0, waiting_here)
    assert len(queries) == 1
    # A member's header leaves the coordinators' queues out of its one query.
    nav = _navigation(member, "/c/riverside/market/", "riverside")
    with CaptureQueriesContext(connection) as queries:
        assert (nav.waiting, nav.unread_here, nav.coordination_here) == (2, 1, 0)
    assert len(queries) == 1 and "members_application" not in queries[0]["sql"]
    # A page whose view did not check who is looking finds the community itself: two queries.
    nav = _navigation(coordinator, "/c/riverside/members/")
    with CaptureQueriesContext(connection) as queries:
        assert nav.coordination_here == waiting_here
    assert len(queries) == 2
    # Outside any community: only what waits for the person.
    nav = _navigation(member, HOME)
    with CaptureQueriesContext(connection) as queries:
        assert (nav.waiting, nav.unread_here, nav.coordination_here) == (2, 0, 0)
    assert len(queries) == 1


# --- Cost ----------------------------------------------------------------------------------------

def _grow(riverside, n, tag):
    """n more members, each with an exchange, an open request and a message to the first."""
    made = []
    for i in range(n):
        user = testing.make_person(f"{tag}{i}@example.org", f"Person {tag}{i}")
        made.append(testing.join(user, riverside))
    return made


def _queries(client, user, url=HOME) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_the_community(client, riverside, member, coordinator, staff, surgery,
                                                           facilitated):
    alice = _m(member, riverside)
    others = _grow(riverside, 2, "a")

    def activity(people):
        for person in people:
            _exchange(riverside, person, alice, 30, keyed_by=person.user)  # waits for Alice
            _exchange(riverside, alice, person, 30)
            post(person.user, riverside, title=f"Help with weeding {person.pk}", category_name="Gardening")
            start_conversation(sender=person, recipient=alice, body="Hello")
            partners.post_opportunity(surgery, actor=staff, title=f"Volunteer {person.pk}",
                                      starts_on=timezone.localdate() + datetime.timedelta(days=3))
            make_referral(surgery, actor=staff, reason="isolation", consent=True, membership=person)

    post(member, riverside, title="Help with my hedge", category_name="Gardening")
    post(member, riverside, kind=PostKind.OFFER, title="Weeding", category_name="Gardening")
    activity(others)
    small = {who: _queries(client, who) for who in (member, coordinator, staff)}
    small["matching"] = _queries(client, member, MATCHING)
    activity(_grow(riverside, 8, "b"))
    large = {who: _queries(client, who) for who in (member, coordinator, staff)}
    large["matching"] = _queries(client, member, MATCHING)
    assert large == small, (small, large)
