import random
from collections import Counter

from coproduce import testing
from coproduce.demo.ledger import seed_exchanges
from coproduce.ledger.models import Transfer, TransferKind
from coproduce.ledger.queries import check_ledger
from coproduce.members.models import Membership


def test_seed_exchanges_is_plausible_and_sound(riverside, coordinator):
    for i in range(40):
        testing.join(testing.make_person(f"demo{i}@example.org", f"Demo {i}"), riverside)
    memberships = list(Membership.objects.filter(community=riverside).select_related("user"))
    done = seed_exchanges(riverside, memberships, 3000, random.Random(3), 12)
    assert done["exchanges"] > 2500 and done["group"] > 0 and done["gifts"] > 0
    assert done["reversals"] > 0 and done["grants"] > 0
    kinds = Counter(Transfer.objects.values_list("kind", flat=True))
    assert kinds[TransferKind.EXCHANGE] == done["exchanges"]
    _counts, problems = check_ledger(riverside)
    assert problems == []
    # Skewed: the busiest tenth of members take part in a large share of exchanges.
    per_account = Counter()
    for transfer in Transfer.objects.filter(kind=TransferKind.EXCHANGE).prefetch_related("entries"):
        for entry in transfer.entries.all():
            per_account[entry.account_id] += 1
    top = sum(c for _a, c in per_account.most_common(len(per_account) // 10))
    assert top > 0.3 * sum(per_account.values())
