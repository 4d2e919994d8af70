"""Everyone's home page: one section per role a person holds, per community.

The page only composes: every count and list comes from the owning app's queries (the same
functions its own pages use), so a queue counts here exactly what its page lists. Each section
reads a bounded number of rows, so the page costs the same number of queries however large the
community grows (it grows with the number of roles a person holds, not with the data).

Matching (who might help with my requests, which requests I could help with) scores candidates
and is the one part whose cost grows with the community, so it is not on the page itself: the
page answers at once and the browser fetches ``matching_for`` right after (htmx); without
JavaScript the same part is a page of its own behind a link.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from coproduce.communities.models import Community
from coproduce.conversations import queries as conversations
from coproduce.groups import queries as groups
from coproduce.insights.figures import Period, add_months, community_month, rollup_figures
from coproduce.insights.views_network import OUTREACH_DAYS, outreach_count
from coproduce.ledger import queries as ledger
from coproduce.ledger.services import community_today
from coproduce.lib.counting import count_each
from coproduce.market import matching
from coproduce.market import queries as market
from coproduce.market.models import PostKind
from coproduce.members.models import Application, ApplicationStatus, Membership, Role
from coproduce.members.queries import pending_applications
from coproduce.partners import queries as partners
from coproduce.referrals import queries as referrals
from coproduce.safeguarding.services import expiring_checks

TOP = 3  # how many of each list a section shows; each links to the whole list
SUGGESTIONS = 3  # helpers suggested per open request of the member's


@dataclass
class MemberSection:
    membership: Membership
    balance: int  # minutes
    newcomer: bool  # no exchange yet: the page shows the first step
    unread: int
    to_confirm: list
    to_confirm_count: int
    introductions: list
    introductions_count: int
    posts: list  # the member's newest open posts
    posts_count: int
    sessions: list

    @property
    def open_requests(self) -> bool:
        return any(post.kind == PostKind.REQUEST for post in self.posts)

    @property
    def waiting(self) -> int:
        return self.to_confirm_count + self.introductions_count


@dataclass
class Matching:
    """Who might help with my open requests, and open requests that match what I offer."""

    membership: Membership
    helpers: list  # [(request, [suggestion])], the member's newest open requests
    matches: list  # [(request, suggestion)]


@dataclass
class Month:
    month: datetime.date
    minutes: int
    exchanges: int


@dataclass
class CoordinatorSection:
    applications: int
    approvals: int
    brokerage: int
    reports: int
    expiring_checks: int
    outreach: int
    outreach_days: int
    this_month: Month
    last_month: Month


@dataclass
class PartnerSection:
    organisation: object
    opportunities: list
    referrals_by_step: list  # [(step, label, n)]
    referrals_total: int
    balance: int | None  # minutes; None before the organisation's first movement
    movements: list


@dataclass
class FacilitatorSection:
    sessions: list
    registers: list
    registers_count: int


@dataclass
class CommunityHome:
    community: Community
    membership: Membership | None
    member: MemberSection | None = None
    coordinator: CoordinatorSection | None = None
    partners: list[PartnerSection] = field(default_factory=list)
    facilitator: FacilitatorSection | None = None


@dataclass
class Home:
    communities: list[CommunityHome]
    applications: list  # the person's own applications still waiting
    site_admin_communities: list  # every community, for a site admin

    @property
    def is_empty(self) -> bool:
        return not self.communities


def member_section(user, membership: Membership, *, balance: int, newcomer: bool, unread: int) -> MemberSection:
    community = membership.community
    to_confirm = ledger.pending_for(user, community)
    introductions = conversations.new_introductions(user, community)
    posts = market.open_posts_of(membership)
    counts = count_each(to_confirm=to_confirm, introductions=introductions, posts=posts)
    return MemberSection(
        membership=membership, balance=balance, newcomer=newcomer, unread=unread,
        to_confirm=list(to_confirm[:TOP]), to_confirm_count=counts["to_confirm"],
        introductions=list(introductions[:TOP]), introductions_count=counts["introductions"],
        posts=list(posts[:TOP]), posts_count=counts["posts"],
        sessions=list(groups.next_sessions_for(membership)[:TOP]),
    )


def matching_for(membership: Membership) -> Matching:
    """The home page's matching part for one member (fetched after the page, see above)."""
    requests = market.open_posts_of(membership).filter(kind=PostKind.REQUEST)[:TOP]
    return Matching(
        membership=membership,
        helpers=[(request, matching.suggest_for_request(request, limit=SUGGESTIONS)) for request in requests],
        matches=matching.requests_for_member(membership, limit=TOP),
    )


def coordinator_section(community: Community) -> CoordinatorSection:
    this_month = community_month(community)
    last_month = add_months(this_month, -1)
    per_month = rollup_figures(community, Period(last_month, this_month))["per_month"]
    queues = count_each(applications=pending_applications(community), approvals=ledger.held(community),
                        brokerage=market.brokerage_queue(community), reports=conversations.open_reports(community),
                        expiring_checks=expiring_checks(community))
    return CoordinatorSection(
        **queues,
        outreach=outreach_count(community, days=OUTREACH_DAYS, today=community_today(community)),
        outreach_days=OUTREACH_DAYS,
        this_month=Month(this_month, *per_month.get(this_month, (0, 0))),
        last_month=Month(last_month, *per_month.get(last_month, (0, 0))),
    )


def partner_section(user, organisation, account) -> PartnerSection:
    made = referrals.visible_to(user, organisation.community, is_coordinator=False,
                                staff_of=frozenset({organisation.pk})).filter(organisation=organisation,
                                                                              referred_by=user)
    steps = referrals.by_step(made)
    return PartnerSection(
        organisation=organisation,
        opportunities=list(partners.current_opportunities([organisation.pk])[:TOP]),
        referrals_by_step=steps, referrals_total=sum(n for _s, _l, n in steps),
        balance=account.balance if account else None,
        movements=ledger.recent_movements(account, limit=TOP + 2) if account else [],
    )


def facilitator_section(group_ids: list[int]) -> FacilitatorSection:
    registers = groups.registers_to_take(group_ids)
    return FacilitatorSection(sessions=list(groups.upcoming_sessions(group_ids)[:TOP]),
                              registers=list(registers[:TOP]), registers_count=registers.count())


def build_home(user) -> Home:
    """Everything the person's home page shows, a section per role per community."""
    memberships = list(Membership.objects.active().filter(user=user).select_related("community", "user"))
    organisations = partners.organisations_of(user)
    facilitated = groups.facilitated_groups(user)
    communities = {m.community_id: m.community for m in memberships}
    communities.update({o.community_id: o.community for o in organisations})
    by_community = {m.community_id: m for m in memberships}
    as_member = [m for m in memberships if m.role == Role.MEMBER]
    balances = ledger.balances(m.pk for m in as_member)
    exchanged = ledger.members_who_exchanged(m.pk for m in as_member)
    unread = conversations.unread_by_community(user) if as_member else {}
    accounts = ledger.accounts_of_organisations(o.pk for o in organisations)

    homes = []
    for community in sorted(communities.values(), key=lambda c: (c.name.lower(), c.pk)):
        membership = by_community.get(community.pk)
        home = CommunityHome(community=community, membership=membership)
        if membership is not None and membership.role == Role.MEMBER:
            home.member = member_section(user, membership, balance=balances.get(membership.pk, 0),
                                         newcomer=membership.pk not in exchanged,
                                         unread=unread.get(community.pk, 0))
        if membership is not None and membership.role == Role.COORDINATOR:
            home.coordinator = coordinator_section(community)
        home.partners = [partner_section(user, o, accounts.get(o.pk)) for o in organisations
                         if o.community_id == community.pk]
        if membership is not None and facilitated.get(community.pk):
            home.facilitator = facilitator_section(facilitated[community.pk])
        homes.append(home)

    waiting_applications = list(Application.objects.filter(user=user, status=ApplicationStatus.PENDING)
                                .select_related("community").order_by("-created_at"))
    site_admin = list(Community.objects.order_by("name")) if user.is_superuser else []
    return Home(communities=homes, applications=waiting_applications, site_admin_communities=site_admin)
