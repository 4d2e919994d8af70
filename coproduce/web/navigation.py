"""The header menu: which section a page belongs to (``aria-current``) and the counts on its
items (unread messages, things waiting). Counts are read when the header shows them, once per
page, in a fixed number of queries; nothing is cached between requests."""

from __future__ import annotations

from functools import cached_property

from coproduce.communities.models import Community
from coproduce.conversations import queries as conversations
from coproduce.groups.queries import invitations_count
from coproduce.ledger import queries as ledger
from coproduce.members.queries import pending_applications

# Pages that belong to the coordinators' part of a community, by namespace and URL name.
# Everything else in a namespace belongs to the namespace's section.
_COORDINATE = {
    "members": {"coordinate", "application", "application_notes", "application_approve", "application_decline",
                "register_assisted", "audit", "edit_for", "change_role"},
    "market": {"brokerage", "vocabulary", "category_words", "remove_category_word", "new_for", "new_for_suggest"},
    "conversations": {"reports", "report", "introduce"},
    "ledger": {"approvals", "approve", "decline_held", "search", "record_for", "grant", "bulk_entry", "limits",
               "account_limits", "reverse"},
    "communities": {"settings", "areas", "categories", "rename_category", "retire_category", "restore_category"},
    "outcomes": {"report", "report_csv", "enter", "paper_form"},
    "localmoney": {"community"},
    "rewards": {"figures", "join_requests"},
    "federation": {"manage", "check"},
}
_WHOLE_NAMESPACE_COORDINATE = {"insights", "safeguarding"}
_SECTION_OF_NAMESPACE = {
    "market": "market", "conversations": "messages", "ledger": "credits", "partners": "partners",
    "groups": "groups", "referrals": "referrals", "members": "members", "rewards": "credits",
    "localmoney": "partners", "federation": "credits",
}
_PARTNER_PAGES_ELSEWHERE = {"rewards": {"counter", "counter_card", "recent"}}  # a venue's till is its partner page's
_MY_COMMUNITIES = {"my_communities", "edit_own", "leave", "demographics", "withdraw_demographics", "apply"}


def section_of(match) -> str:
    """The header item a page belongs to: "home", "community", "members", "market", "messages",
    "credits", "partners", "groups", "referrals", "coordinate", "my_communities", "account", "email" or ""."""
    if match is None:
        return ""
    namespace, name = match.namespace, match.url_name or ""
    if not namespace:
        if name == "my_home":
            return "home"
        if name.startswith(("account_", "mfa_")):
            return "account"
        return ""
    if namespace == "notifications" and name == "preferences":
        return "email"
    if namespace in _WHOLE_NAMESPACE_COORDINATE or name in _COORDINATE.get(namespace, ()):
        return "coordinate"
    if namespace == "communities":
        return "community"
    if name in _PARTNER_PAGES_ELSEWHERE.get(namespace, ()):
        return "partners"
    if namespace == "members" and name in _MY_COMMUNITIES:
        return "my_communities"
    return _SECTION_OF_NAMESPACE.get(namespace, "")


class Navigation:
    """What the header needs to know about the person and the page; each figure is read on first use."""

    def __init__(self, request):
        self.request = request
        self.user = request.user
        match = getattr(request, "resolver_match", None)
        self.section = section_of(match)
        self.url_name = (match.url_name if match else None) or ""
        self.slug = (match.kwargs.get("slug") if match else None) or None

    @cached_property
    def _unread(self) -> dict[int, int]:
        return conversations.unread_by_community(self.user) if self.user.is_authenticated else {}

    @cached_property
    def _community(self) -> Community | None:
        return Community.objects.filter(slug=self.slug).first() if self.slug else None

    @cached_property
    def waiting(self) -> int:
        """Everything waiting for this person, in all their communities: exchanges to confirm,
        unread messages and invitations to groups (the home page lists each)."""
        if not self.user.is_authenticated:
            return 0
        return ledger.pending_count(self.user) + sum(self._unread.values()) + invitations_count(self.user)

    @cached_property
    def unread_here(self) -> int:
        """Unread messages in the community of this page."""
        community = self._community
        return self._unread.get(community.pk, 0) if community else 0

    @cached_property
    def coordination_here(self) -> int:
        """What waits for this community's coordinators: applications, approvals and reports."""
        community = self._community
        if community is None:
            return 0
        return (pending_applications(community).count() + ledger.held(community).count()
                + conversations.open_reports(community).count())
