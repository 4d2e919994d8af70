"""The header menu: which section a page belongs to (``aria-current``) and the counts on its
items (unread messages, things waiting). Counts are read when the header shows them, once per
page, all in one query; nothing is cached between requests, so a badge is never stale."""

from __future__ import annotations

from functools import cached_property

from coproduce.communities.models import Community
from coproduce.conversations import queries as conversations
from coproduce.groups.queries import invitations
from coproduce.ledger import queries as ledger
from coproduce.lib.counting import count_each_for
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


# What the header counts, by user and community id (built once per process: ``count_each_for``).

def _waiting_for(*, user: int) -> dict:
    return {
        "to_confirm": ledger.waiting_for_answer_from(user),
        "unread": conversations.unread(user),
        "invitations": invitations(user),
    }


def _waiting_in(*, user: int, community: int) -> dict:
    counts = _waiting_for(user=user)
    return counts | {"unread_here": counts["unread"].filter(conversation__community=community)}


def _coordinating_in(*, user: int, community: int) -> dict:
    return _waiting_in(user=user, community=community) | {
        "applications": pending_applications(community),
        "held": ledger.held(community),
        "reports": conversations.open_reports(community),
    }


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
    def _access(self):
        """What the page's view found out (``members.permissions.access_for``), for this page's community."""
        access = getattr(self.request, "access", None)
        return access if access is not None and access.community.slug == self.slug else None

    @cached_property
    def _community(self) -> Community | None:
        if self._access is not None:
            return self._access.community
        return Community.objects.filter(slug=self.slug).first() if self.slug else None

    @cached_property
    def _counts(self) -> dict[str, int]:
        """Every count this header can show, in one query. A community's coordination counts are
        read only for its coordinators (or when the view did not say who is looking)."""
        if not self.user.is_authenticated:
            return {}
        community = self._community
        if community is None:
            return count_each_for("header", _waiting_for, user=self.user.pk)
        if self._access is None or self._access.is_coordinator:
            return count_each_for("header: coordinating", _coordinating_in, user=self.user.pk, community=community.pk)
        return count_each_for("header: in a community", _waiting_in, user=self.user.pk, community=community.pk)

    @cached_property
    def waiting(self) -> int:
        """Everything waiting for this person, in all their communities: exchanges to confirm,
        unread messages and invitations to groups (the home page lists each)."""
        counts = self._counts
        return counts.get("to_confirm", 0) + counts.get("unread", 0) + counts.get("invitations", 0)

    @cached_property
    def unread_here(self) -> int:
        """Unread messages in the community of this page."""
        return self._counts.get("unread_here", 0)

    @cached_property
    def coordination_here(self) -> int:
        """What waits for this community's coordinators: applications, approvals and reports."""
        counts = self._counts
        return counts.get("applications", 0) + counts.get("held", 0) + counts.get("reports", 0)
