"""A separate process posting exchanges, for the multi-process and crash tests.

    python -m coproduce.ledger.tests.poster SLUG COUNT SEED PREFIX each|bulk

Prints the idempotency key of each accepted posting (``each``) as soon as it commits, or
"started" then "done" around one big batch (``bulk``). DATABASE_URL names the test database.
"""

import os
import random
import sys

import django


def main(slug: str, count: int, seed: int, prefix: str, mode: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
    django.setup()
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from coproduce.communities.models import Community
    from coproduce.ledger import services
    from coproduce.members.models import Membership

    community = Community.objects.get(slug=slug)
    members = list(Membership.objects.active().filter(community=community).select_related("user").order_by("pk"))
    rng = random.Random(seed)
    today = timezone.localdate()
    if mode == "bulk":
        accounts = services.member_accounts(community, members)
        rows = []
        for i in range(count):
            giver, receiver = rng.sample(accounts, 2)
            rows.append(services.BulkRow(giver.pk, receiver.pk, 15, today, f"{prefix}-{i}"))
        print("started", flush=True)
        services.bulk_post_exchanges(community, rows, keyed_by=members[0].user)
        print("done", flush=True)
        return
    for i in range(count):
        giver, receiver = rng.sample(members, 2)
        key = f"{prefix}-{i}"
        try:
            services.record_exchange(community=community, giver=giver, receiver=receiver,
                                     minutes=rng.choice((15, 30, 45, 60)), performed_on=today,
                                     keyed_by=receiver.user, idempotency_key=key)
        except ValidationError:
            continue
        print(key, flush=True)


if __name__ == "__main__":
    slug, count, seed, prefix, mode = sys.argv[1:6]
    main(slug, int(count), int(seed), prefix, mode)
