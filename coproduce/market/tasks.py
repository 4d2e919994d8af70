"""Background work for the market: retraining a community's text model (``classifier.train``).

Posting never trains. Each new post counts towards its community's model going stale
(``note_new_post``, after the post's transaction commits); once enough has been posted
since the last training, or a day has passed, one retraining is queued, and the worker
(``manage.py db_worker``) runs it. A vocabulary change asks for one too.
"""

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

STALE_AFTER = timedelta(days=1)
STALE_SHARE = 0.1  # retrain once the posts since the last training are a tenth of those it learned from
STALE_AT_LEAST = 20  # ... and never for fewer than this many (small communities)
REQUEUE_AFTER = timedelta(hours=6)  # a retraining asked for and never done (a worker was down)


@task()
def retrain(community_id: int) -> None:
    """Rebuild one community's text model and its words for typo tolerance."""
    from coproduce.communities.models import Community
    from coproduce.market.classifier import train

    if Community.objects.filter(pk=community_id).exists():
        train(community_id)


def _claim(community_id: int, *, due: Q) -> bool:
    """Mark a retraining as asked for, once: True for the one caller that should enqueue it."""
    from coproduce.market.models import TextModel

    now = timezone.now()
    not_queued = Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER)
    return bool(TextModel.objects.filter(Q(community_id=community_id) & not_queued & due).update(queued_at=now))


def note_new_post(community_id: int) -> None:
    """Count a post towards its community's model going stale; queue a retraining when it is."""
    from coproduce.market.models import TextModel

    if not TextModel.objects.filter(community_id=community_id).update(new_posts=F("new_posts") + 1):
        TextModel.objects.get_or_create(community_id=community_id, defaults={"new_posts": 1})
    due = (Q(trained_at__isnull=True) | Q(trained_at__lt=timezone.now() - STALE_AFTER)
           | Q(new_posts__gte=F("posts") * STALE_SHARE + STALE_AT_LEAST))
    if _claim(community_id, due=due):
        retrain.enqueue(community_id)


def request_retrain(community_id: int) -> None:
    """Queue a retraining now (the vocabulary changed), unless one is already waiting."""
    from coproduce.market.models import TextModel

    TextModel.objects.get_or_create(community_id=community_id)
    if _claim(community_id, due=Q()):
        retrain.enqueue(community_id)
