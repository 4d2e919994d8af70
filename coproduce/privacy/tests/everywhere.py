"""A person with data in every model that holds data about people (issue 20).

``person_with_data_everywhere(riverside, hilltop)`` makes Alice Ashby, a member of both
communities, with at least one row about her in every model ``registry.about_people()`` lists,
made through the apps' own services as the pages would make them. Beside her: Bob Brown, who
exchanges with her, writes to her and thanks her; Cora Coordinator, who records things about
her; Hugo Hill, her exchange in Hilltop; and Dan Dobson, whose rows must never reach Alice's copy.

Every free text written into a field a model declares as ``free_text`` of a row about Alice holds
a marker ("ALICE-MARKER ...", listed in ``markers``), so erasure tests can search the whole
database for what must be gone. No marker is written where a service copies text elsewhere (an
audit entry's detail, a partner organisation's description): those places are not hers.

It ends by checking its own coverage: a model that starts declaring data about people fails every
test using this helper until the helper gives Alice a row in it too.
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from coproduce import testing
from coproduce.api.models import Scope
from coproduce.api.tokens import create_token
from coproduce.assets.services import suggest
from coproduce.communities.models import Category
from coproduce.conversations import services as conversations
from coproduce.federation import services as federation
from coproduce.groups import services as groups
from coproduce.ledger import services as ledger
from coproduce.market import services as market
from coproduce.market.models import PostKind
from coproduce.members import services as members
from coproduce.members.models import Role
from coproduce.notifications.preferences import set_preferences
from coproduce.notifications.services import send_weekly_digests
from coproduce.outcomes.services import record_wellbeing
from coproduce.partners import services as partners
from coproduce.privacy import archive, registry
from coproduce.privacy.services import request_copy, request_erasure
from coproduce.referrals.services import advance_referral, make_referral
from coproduce.rewards import services as rewards
from coproduce.safeguarding.services import record_check

MARK = "ALICE-MARKER"
NOT_HERS = "DAN-MARKER"
WELLBEING = {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6, "anxiety": 3, "loneliness": "occasionally"}


def _category(community, name="Gardening"):
    return Category.objects.get(community=community, name=name, parent__isnull=False)


def uncovered(person) -> list[str]:
    """The labels of the models declaring data about people that hold no row about ``person``."""
    return [declared.label for declared in registry.about_people()
            if not archive.rows_about(declared, person).exists()]


def person_with_data_everywhere(riverside, hilltop) -> SimpleNamespace:
    markers: list[str] = []

    def mark(text: str) -> str:
        markers.append(f"{MARK} {text}")
        return markers[-1]

    riverside_today = ledger.community_today(riverside)
    hilltop_today = ledger.community_today(hilltop)
    now = timezone.now()

    # ------------------------------------------------------------------ people
    cora = testing.make_person("cora@example.org", "Cora Coordinator")
    cora_riverside = testing.join(cora, riverside, role=Role.COORDINATOR)
    testing.enable_totp(cora)
    bob = testing.make_person("bob@example.org", "Bob Brown")
    bob_riverside = testing.join(bob, riverside)
    dan = testing.make_person("dan@example.org", "Dan Dobson")
    dan_riverside = testing.join(dan, riverside)
    hugo = testing.make_person("hugo@example.org", "Hugo Hill")
    hugo_hilltop = testing.join(hugo, hilltop)

    # Alice (account.EmailAddress, accounts.User) asks to join Riverside and is approved
    # (members.Application, members.Membership); in Hilltop she is made a member directly.
    alice = testing.make_person("alice@example.org", "Alice Ashby")
    testing.enable_totp(alice)  # mfa.Authenticator
    application = members.apply_to_community(
        user=alice, community=riverside, offers=mark("application offers"), needs=mark("application needs"),
        heard_from="friend", consent=True, area=riverside.areas.first())
    members.add_interview_notes(application, actor=cora, notes=mark("interview notes"))
    alice_riverside = members.approve_application(application, actor=cora)
    alice_hilltop = testing.join(alice, hilltop)
    alice_riverside = members.update_profile(
        alice_riverside, actor=alice,
        person={"about_me": mark("about me"), "postal_address": mark("postal address"),
                "access_needs": mark("access needs"), "languages": mark("languages")},
        place={"skills_text": mark("riverside skills"), "interests_text": mark("riverside interests")})
    alice_hilltop = members.update_profile(alice_hilltop, actor=alice, person={},
                                           place={"skills_text": mark("hilltop skills")})
    members.record_demographics(alice, actor=alice, age_band="35_49", gender="woman", is_carer=True,
                                has_disability=False, consent=True)  # members.Demographics; audit.AuditEntry

    # ------------------------------------------------------------------ offers, requests, exchanges
    # Alice asks for help; Bob writes to her about it and she answers; he helps, she records it and
    # thanks him (market.Post, conversations.*, ledger.*, insights.*, market.ThankYou).
    alice_request = market.create_post(
        author=alice_riverside, actor=alice, kind=PostKind.REQUEST, title=mark("request title"),
        description=mark("request description"), category=_category(riverside))
    talk = conversations.start_conversation(sender=bob_riverside, recipient=alice_riverside,
                                            body="Hello Alice, I could help with that on Saturday.",
                                            post=alice_request)
    conversations.reply(talk, sender=alice, body=mark("message to Bob"))
    market.record_exchange_about(
        alice_request, community=riverside, giver=bob_riverside, receiver=alice_riverside, minutes=60,
        performed_on=riverside_today, keyed_by=alice, idempotency_key=ledger.new_key(),
        category=alice_request.category, description=mark("exchange description"))
    market.thank(alice_request, actor=alice, note=mark("thank-you note"))

    # Bob asks for help, Alice gives it, and Bob thanks her.
    bob_request = market.create_post(author=bob_riverside, actor=bob, kind=PostKind.REQUEST,
                                     title="A lift to the station", category=_category(riverside, "Lifts"))
    market.record_exchange_about(
        bob_request, community=riverside, giver=alice_riverside, receiver=bob_riverside, minutes=60,
        performed_on=riverside_today, keyed_by=bob, idempotency_key=ledger.new_key(),
        category=bob_request.category, description="Lift to the station")
    market.thank(bob_request, actor=bob, note="Thank you, Alice: I caught my train.")

    # In Hilltop, Hugo helps her.
    ledger.record_exchange(community=hilltop, giver=hugo_hilltop, receiver=alice_hilltop, minutes=45,
                           performed_on=hilltop_today, keyed_by=alice, idempotency_key=ledger.new_key(),
                           description=mark("hilltop exchange description"))

    # ------------------------------------------------------------------ Dan: rows that are not hers
    dan_offer = market.create_post(author=dan_riverside, actor=dan, kind=PostKind.OFFER,
                                   title=f"{NOT_HERS} offer title", description=f"{NOT_HERS} offer description",
                                   category=_category(riverside))
    dan_talk = conversations.start_conversation(sender=bob_riverside, recipient=dan_riverside,
                                                body="Hello Dan, could you help me too?", post=dan_offer)
    conversations.reply(dan_talk, sender=dan, body=f"{NOT_HERS} message to Bob")
    record_wellbeing(dan_riverside, actor=dan, answers={**WELLBEING, "happiness": 9})

    # Alice blocks Dan and reports him; Cora deals with the report (conversations.Block, .Report).
    conversations.block(blocker=alice, blocked=dan)
    report = conversations.report(community=riverside, reporter=alice, reported=dan, reason=mark("report reason"))
    conversations.resolve_report(report, actor=cora, resolution=mark("report resolution"))

    # ------------------------------------------------------------------ partners and rewards
    cafe = partners.save_organisation(community=riverside, actor=cora, name="Riverside Café", type="cafe")
    library = partners.save_organisation(community=riverside, actor=cora, name="Riverside Library", type="library")
    surgery = partners.save_organisation(community=riverside, actor=cora, name="Riverside Surgery", type="health")
    partners.add_staff(library, actor=cora, membership=alice_riverside, job_title="Volunteer coordinator")
    partners.add_staff(surgery, actor=cora, membership=cora_riverside, job_title="Social prescriber")
    opportunity = partners.post_opportunity(cafe, actor=cora, title="Washing up after the lunch club",
                                            starts_on=riverside_today, places_needed=3)
    partners.sign_up(opportunity, membership=alice_riverside, actor=alice)  # partners.Signup
    tea = partners.save_listing(cafe, actor=cora, title="A pot of tea", description="", minutes=15)
    partners.buy_listing(tea, membership=alice_riverside, actor=alice,
                         idempotency_key=ledger.new_key())  # partners.Redemption
    rewards.issue_code(tea, membership=alice_riverside, actor=alice)  # rewards.RedemptionCode
    rewards.set_pin(alice_riverside, pin="2468", actor=alice)  # rewards.MemberCard
    venue = rewards.apply_as_venue(alice_riverside, actor=alice, name="Ashby Bakes", type="shop",
                                   description=mark("venue description"))
    # Declined, not approved: approving copies the description into the organisation's own.
    rewards.decline_venue(venue, actor=cora, reason=mark("venue decline reason"))

    # ------------------------------------------------------------------ referrals, safeguarding, outcomes
    referral = make_referral(surgery, actor=cora, reason="isolation", consent=True, note=mark("referral note"),
                             membership=alice_riverside, received_on=riverside_today - datetime.timedelta(days=14))
    advance_referral(referral, actor=cora, step="contacted", on=riverside_today - datetime.timedelta(days=7))
    record_check(alice_riverside, actor=cora, check_type="enhanced_dbs",
                 checked_on=riverside_today - datetime.timedelta(days=30), outcome="clear",
                 expires_on=riverside_today + datetime.timedelta(days=3 * 365))
    record_wellbeing(alice_riverside, actor=alice, answers=WELLBEING)

    # ------------------------------------------------------------------ a peer-support group
    walkers = groups.create_group(community=riverside, actor=cora, name="Riverside Walkers")
    groups.join_group(walkers, membership=alice_riverside)  # groups.GroupMember
    past = groups.add_session(walkers, actor=cora, starts_at=now - datetime.timedelta(hours=3),
                              ends_at=now - datetime.timedelta(hours=2), capacity=10, place="The bandstand")
    groups.record_attendance(past, actor=cora, present=[alice_riverside],
                             idempotency_key=ledger.new_key())  # groups.Attendance
    coming = groups.add_session(walkers, actor=cora, starts_at=now + datetime.timedelta(days=7),
                                ends_at=now + datetime.timedelta(days=7, hours=1), capacity=10,
                                place="The bandstand")
    groups.book(coming, membership=alice_riverside)  # groups.Booking
    groups.feed_token(alice_riverside)  # groups.FeedToken
    groups.start_thread(walkers, membership=alice_riverside, title=mark("group thread title"),
                        body=mark("group post body"))  # groups.Thread, groups.Post

    # ------------------------------------------------------------------ the directory, a linked bank
    suggest(membership=alice_riverside, name="Riverside lunch club", details=mark("directory suggestion details"))
    link = federation.link_bank(riverside, name="Hilltop Time Bank", peer_url="https://hilltop.test",
                                peer_slug="hilltop", peer_public_key=federation.node_for(hilltop).public_key,
                                we_may_owe=600, they_may_owe=600, actor=cora)
    federation.start_crossing(link, member=alice_riverside, their_member=hugo_hilltop.pk, minutes=30,
                              performed_on=riverside_today, description=mark("crossing description"),
                              keyed_by=alice)  # federation.Crossing (its delivery waits for the commit)

    # ------------------------------------------------------------------ e-mails, tokens, a copy
    set_preferences(alice, expiring=False)  # notifications.Preference
    send_weekly_digests(riverside_today)  # notifications.DigestSent: Dan's offer is new this week
    create_token(alice, name="My phone", scopes=[Scope.READ], days=30, two_factor_done=True)  # api.AccessToken
    request_copy(alice, requested_by=alice)  # privacy.DataExport
    request_erasure(alice, requested_by=alice)  # privacy.ErasureRequest: waits out its cooling-off period

    missing = uncovered(alice)
    if missing:
        raise AssertionError(f"person_with_data_everywhere does not cover: {', '.join(missing)}")
    return SimpleNamespace(
        alice=alice, bob=bob, dan=dan, cora=cora, hugo=hugo,
        alice_riverside=alice_riverside, alice_hilltop=alice_hilltop,
        bob_riverside=bob_riverside, dan_riverside=dan_riverside, cora_riverside=cora_riverside,
        hugo_hilltop=hugo_hilltop,
        markers=markers,
        not_hers=[f"{NOT_HERS} offer title", f"{NOT_HERS} offer description", f"{NOT_HERS} message to Bob"],
        dan_conversation=dan_talk,
    )
