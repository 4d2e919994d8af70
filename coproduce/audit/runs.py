"""Recent activity in plain words (issue 13, point 7): a run of the same action by the same person,
one after the other, reads as one line ("Ben Hughes moved 4 referrals on"), with its time span and
the entries themselves a click away. Grouping happens in Python on a bounded slice of the log (one
query), so a page showing it costs the same however long the log is."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from coproduce.audit.models import AuditAction, AuditEntry

# What a run of several entries says, by action. Actions not listed read
# "<the action's own words> (4 times)".
PLURAL = {
    AuditAction.AREA_ADDED: ngettext_lazy("added %(count)s area", "added %(count)s areas", "count"),
    AuditAction.CATEGORY_ADDED: ngettext_lazy("added %(count)s category", "added %(count)s categories", "count"),
    AuditAction.CATEGORY_RENAMED: ngettext_lazy("renamed %(count)s category", "renamed %(count)s categories",
                                                "count"),
    AuditAction.CATEGORY_RETIRED: ngettext_lazy("retired %(count)s category", "retired %(count)s categories",
                                                "count"),
    AuditAction.APPLICATION_NOTE: ngettext_lazy("added interview notes %(count)s time",
                                                "added interview notes %(count)s times", "count"),
    AuditAction.APPLICATION_APPROVED: ngettext_lazy("approved %(count)s application",
                                                    "approved %(count)s applications", "count"),
    AuditAction.APPLICATION_DECLINED: ngettext_lazy("declined %(count)s application",
                                                    "declined %(count)s applications", "count"),
    AuditAction.ASSISTED_REGISTERED: ngettext_lazy("registered %(count)s assisted member",
                                                   "registered %(count)s assisted members", "count"),
    AuditAction.PROFILE_CHANGED: ngettext_lazy("changed %(count)s profile", "changed %(count)s profiles", "count"),
    AuditAction.ROLE_CHANGED: ngettext_lazy("changed %(count)s role", "changed %(count)s roles", "count"),
    AuditAction.POST_CREATED: ngettext_lazy("posted %(count)s offer or request", "posted %(count)s offers or requests",
                                            "count"),
    AuditAction.POST_RENEWED: ngettext_lazy("renewed %(count)s offer or request",
                                            "renewed %(count)s offers or requests", "count"),
    AuditAction.POST_WITHDRAWN: ngettext_lazy("withdrew %(count)s offer or request",
                                              "withdrew %(count)s offers or requests", "count"),
    AuditAction.INTRODUCED: ngettext_lazy("made %(count)s introduction", "made %(count)s introductions", "count"),
    AuditAction.CHECK_RECORDED: ngettext_lazy("recorded %(count)s check or reference",
                                              "recorded %(count)s checks or references", "count"),
    AuditAction.REPORT_RESOLVED: ngettext_lazy("dealt with %(count)s report", "dealt with %(count)s reports", "count"),
    AuditAction.REPORT_VIEWED: ngettext_lazy("read %(count)s reported conversation",
                                             "read %(count)s reported conversations", "count"),
    AuditAction.EXCHANGE_RECORDED_FOR: ngettext_lazy("recorded %(count)s exchange on someone's behalf",
                                                     "recorded %(count)s exchanges on people's behalf", "count"),
    AuditAction.TRANSFER_REVERSED: ngettext_lazy("reversed %(count)s transfer", "reversed %(count)s transfers",
                                                 "count"),
    AuditAction.POT_GRANT: ngettext_lazy("made %(count)s grant from the pot", "made %(count)s grants from the pot",
                                         "count"),
    AuditAction.TRANSFER_APPROVED: ngettext_lazy("approved %(count)s credit waiting for approval",
                                                 "approved %(count)s credits waiting for approval", "count"),
    AuditAction.TRANSFER_DECLINED: ngettext_lazy("declined %(count)s credit waiting for approval",
                                                 "declined %(count)s credits waiting for approval", "count"),
    AuditAction.STAFF_ADDED: ngettext_lazy("added %(count)s partner staff member",
                                           "added %(count)s partner staff members", "count"),
    AuditAction.OPPORTUNITY_POSTED: ngettext_lazy("posted %(count)s opportunity", "posted %(count)s opportunities",
                                                  "count"),
    AuditAction.SIGNED_UP_FOR: ngettext_lazy("signed %(count)s person up for opportunities",
                                             "signed %(count)s people up for opportunities", "count"),
    AuditAction.REFERRAL_MADE: ngettext_lazy("made %(count)s referral", "made %(count)s referrals", "count"),
    AuditAction.REFERRAL_STEP: ngettext_lazy("moved %(count)s referral on", "moved %(count)s referrals on", "count"),
    AuditAction.GROUP_INVITED: ngettext_lazy("invited %(count)s person to peer-support groups",
                                             "invited %(count)s people to peer-support groups", "count"),
    AuditAction.SESSION_ATTENDANCE: ngettext_lazy("recorded attendance at %(count)s group session",
                                                  "recorded attendance at %(count)s group sessions", "count"),
    AuditAction.WELLBEING_RECORDED_FOR: ngettext_lazy("entered %(count)s paper wellbeing form",
                                                      "entered %(count)s paper wellbeing forms", "count"),
}


@dataclass
class Run:
    """Entries next to each other in the log with the same actor and action, newest first."""

    entries: list[AuditEntry] = field(default_factory=list)

    @property
    def first(self) -> AuditEntry:
        return self.entries[0]

    @property
    def actor(self):
        return self.first.actor

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def newest(self) -> datetime:
        return self.entries[0].created_at

    @property
    def oldest(self) -> datetime:
        return self.entries[-1].created_at

    @property
    def what(self) -> str:
        """The action in words: the entry's own for one entry, counted for several."""
        if self.count == 1:
            return self.first.get_action_display()
        plural = PLURAL.get(self.first.action)
        if plural is not None:
            return plural % {"count": self.count}
        return _("%(action)s (%(count)s times)") % {"action": self.first.get_action_display(), "count": self.count}


def group_runs(entries, *, limit: int | None = None) -> list[Run]:
    """``entries`` (newest first) as runs of the same actor doing the same thing; at most ``limit`` runs."""
    runs: list[Run] = []
    for entry in entries:
        last = runs[-1] if runs else None
        if last is not None and (last.first.actor_id, last.first.action) == (entry.actor_id, entry.action):
            last.entries.append(entry)
            continue
        if limit is not None and len(runs) == limit:
            break
        runs.append(Run([entry]))
    return runs


RECENT_ENTRIES = 200  # how far back "recent activity" reads: bounded, so the page's cost is too
RECENT_RUNS = 20


def recent_runs(community) -> list[Run]:
    """The community's latest activity as at most ``RECENT_RUNS`` lines, in one query."""
    entries = (AuditEntry.objects.filter(community=community).select_related("actor", "on_behalf_of")
               .order_by("-created_at", "-id")[:RECENT_ENTRIES])
    return group_runs(entries, limit=RECENT_RUNS)
