"""Background work for insights: betweenness of networks too big for a page (``network.py``)."""

import datetime

from django.utils import timezone
from django_tasks import task

BROKERS_KEPT = 20


@task()
def estimate_brokers(estimate_id: int) -> None:
    """Work out the betweenness of one window's network from a sample of starting points."""
    from coproduce.insights.models import BrokerEstimate
    from coproduce.insights.network import network_for

    estimate = BrokerEstimate.objects.select_related("community").filter(pk=estimate_id).first()
    if estimate is None or estimate.status == BrokerEstimate.Status.DONE:
        return
    result, _parties = network_for(estimate.community, estimate.start, estimate.end, background=True)
    top = sorted(result.betweenness.items(), key=lambda item: (-item[1], item[0]))[:BROKERS_KEPT]
    estimate.top = [[node, score] for node, score in top if score > 0]
    estimate.pivots, estimate.nodes = result.betweenness_pivots, result.nodes
    estimate.status, estimate.computed_at = BrokerEstimate.Status.DONE, timezone.now()
    estimate.save(update_fields=["top", "pivots", "nodes", "status", "computed_at"])


def request_brokers(community, start, end):
    """The window's estimate: done, or asked for now (once; later requests find it pending)."""
    from django.db import IntegrityError, transaction

    from coproduce.insights.models import BrokerEstimate

    estimate = BrokerEstimate.objects.filter(community=community, start=start, end=end).first()
    if estimate is not None:
        return estimate
    # Windows usually end today, so each day asks afresh: keep a month of estimates.
    BrokerEstimate.objects.filter(community=community,
                                  requested_at__lt=timezone.now() - datetime.timedelta(days=30)).delete()
    try:
        with transaction.atomic():
            estimate = BrokerEstimate.objects.create(community=community, start=start, end=end)
    except IntegrityError:  # asked for by someone else a moment ago
        return BrokerEstimate.objects.get(community=community, start=start, end=end)
    transaction.on_commit(lambda: estimate_brokers.enqueue(estimate.pk))
    return estimate
