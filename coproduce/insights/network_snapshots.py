"""The coordinators' network page for a large time bank: worked out in the background and kept.

At 100,000 members reading a year's ties takes a second and networkx needs five more to measure
them (issue 19), so above ``INLINE_MAX_PARTIES`` accounts the page shows a ``NetworkSnapshot``
instead of working the network out while the coordinator waits. A snapshot remembers the
community's latest posting when it was read: a later posting or reversal, or a day gone by
(areas and consented age bands change too), makes it stale. A stale snapshot is still shown,
labelled with when it was worked out, while a newer one is worked out; nothing is ever shown as
current that is not.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from coproduce.insights.figures import last_posted
from coproduce.insights.models import NetworkSnapshot
from coproduce.insights.network import NetworkFigures, drawn_ties, layout, network_for
from coproduce.ledger.models import Account

# Up to this many accounts (members, organisations, the pot) the page works its network out while
# the coordinator waits: under half a second for the demo's 300 members; about 6 s at 100,000.
INLINE_MAX_PARTIES = settings.NETWORK_INLINE_MAX_PARTIES
FRESH_FOR = datetime.timedelta(days=1)
# A snapshot still "being worked out" this long after it was asked for was lost (a worker
# stopped mid-way): the next look asks for it again.
LOST_AFTER = datetime.timedelta(hours=1)
BROKERS_KEPT = 20
SNAPSHOTS_KEPT = datetime.timedelta(days=60)

log = logging.getLogger(__name__)


def worked_out_in_background(community) -> bool:
    """Whether this community's network is too big to work out while a page waits: whether it has
    an account past the limit (reads that many index entries, not all 100,000)."""
    return Account.objects.filter(community=community).order_by()[INLINE_MAX_PARTIES:INLINE_MAX_PARTIES + 1].exists()


def is_stale(snapshot: NetworkSnapshot, *, now=None) -> bool:
    """Whether the community's ledger or a day has moved on since the snapshot was read."""
    now = now or timezone.now()
    if snapshot.computed_at is None or now - snapshot.computed_at > FRESH_FOR:
        return True
    return last_posted(snapshot.community_id) != snapshot.last_posted


def ask(community, start: datetime.date, end: datetime.date) -> NetworkSnapshot:
    """The window's snapshot: the one kept (asked for again when stale, failed or lost), or a new
    one asked for now. Asking twice queues it once: the row is claimed by a conditional update."""
    snapshot = NetworkSnapshot.objects.filter(community=community, start=start, end=end).first()
    if snapshot is None:
        NetworkSnapshot.objects.filter(community=community,
                                       requested_at__lt=timezone.now() - SNAPSHOTS_KEPT).delete()
        try:
            with transaction.atomic():
                snapshot = NetworkSnapshot.objects.create(community=community, start=start, end=end)
        except IntegrityError:  # asked for by someone else a moment ago
            return NetworkSnapshot.objects.get(community=community, start=start, end=end)
        _queue(snapshot)
        return snapshot
    now = timezone.now()
    Status = NetworkSnapshot.Status
    again = (snapshot.status == Status.FAILED
             or (snapshot.status == Status.PENDING and now - snapshot.requested_at > LOST_AFTER)
             or (snapshot.status == Status.DONE and is_stale(snapshot, now=now)))
    if again:
        claimed = NetworkSnapshot.objects.filter(pk=snapshot.pk, status=snapshot.status,
                                                 requested_at=snapshot.requested_at).update(
            status=Status.PENDING, stage=NetworkSnapshot.Stage.QUEUED, requested_at=now)
        snapshot.refresh_from_db()
        if claimed:
            _queue(snapshot)
    return snapshot


def _queue(snapshot: NetworkSnapshot) -> None:
    transaction.on_commit(lambda: work_out_network.enqueue(snapshot.pk))


@task()
def work_out_network(snapshot_id: int) -> None:
    """Work one snapshot out: its figures, brokers and picture, with the stage
    it has reached saved as it goes so the page can say so."""
    snapshot = NetworkSnapshot.objects.select_related("community").filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.status != NetworkSnapshot.Status.PENDING:
        return

    def progress(stage):
        NetworkSnapshot.objects.filter(pk=snapshot.pk).update(stage=stage)

    try:
        stamp = last_posted(snapshot.community)  # read first: whatever is posted meanwhile makes it stale
        result, _parties = network_for(snapshot.community, snapshot.start, snapshot.end, background=True,
                                       progress=progress)
        progress(NetworkSnapshot.Stage.DRAWING)
        positions, edges, total = layout(result.graph)
        edges, ties = drawn_ties(edges)  # kept small: the page reads it at every look
    except Exception:  # the page must say it failed, not "being worked out" for ever
        log.exception("The network snapshot %s could not be worked out.", snapshot_id)
        NetworkSnapshot.objects.filter(pk=snapshot.pk).update(status=NetworkSnapshot.Status.FAILED)
        return
    top = sorted(result.betweenness.items(), key=lambda item: (-item[1], item[0]))[:BROKERS_KEPT]
    NetworkSnapshot.objects.filter(pk=snapshot.pk).update(
        status=NetworkSnapshot.Status.DONE, last_posted=stamp, computed_at=timezone.now(), pivots=result.betweenness_pivots,
        figures=figures_of(result), top=[[node, score] for node, score in top if score > 0],
        picture={"positions": [[node, x, y] for node, (x, y) in positions.items()],
                 "edges": [list(edge) for edge in edges], "total": total, "ties": ties})


_KEPT_FIGURES = ("nodes", "ties", "new_ties_by_month", "mean_degree", "largest_component_share",
                 "average_clustering", "bridging_areas", "bridging_age_bands", "clustering_estimated")


def figures_of(result: NetworkFigures) -> dict:
    return {name: getattr(result, name) for name in _KEPT_FIGURES}


def figures_from(snapshot: NetworkSnapshot) -> NetworkFigures:
    return NetworkFigures(**{name: snapshot.figures[name] for name in _KEPT_FIGURES},
                          betweenness_pivots=snapshot.pivots)


def picture_from(snapshot: NetworkSnapshot) -> tuple[dict, list, int, int]:
    """(positions, the ties drawn, the dots in the network, the ties among the drawn dots)."""
    drawn = snapshot.picture
    return ({node: (x, y) for node, x, y in drawn["positions"]}, [tuple(edge) for edge in drawn["edges"]],
            drawn["total"], drawn.get("ties", len(drawn["edges"])))


def names_of(community, accounts) -> dict[int, str]:
    """The names now behind a snapshot's account ids (one query): kept as ids, never as names, so a
    renamed member shows under the new name."""
    rows = Account.objects.filter(community=community, pk__in=list(accounts)).filter(
        Q(membership__isnull=False) | Q(organisation__isnull=False)).values_list(
        "pk", "membership__user__name", "organisation__name")
    return {pk: member or organisation or "" for pk, member, organisation in rows}
