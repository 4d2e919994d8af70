"""A small hand-built community shared by the dashboard and report tests."""

import pytest
from django.db import transaction

from coproduce import testing
from coproduce.communities.activities import Activity
from coproduce.communities.models import Category
from coproduce.ledger import services
from coproduce.ledger.models import Transfer
from coproduce.partners.models import Organisation, OrganisationType


@pytest.fixture
def town(riverside, coordinator):
    """Members A, B, C, D and organisation O, all in the first days of this month:

    A gives B 60 min, B gives A 30, C gives A 90 (gardening), C gives O 30 (cleaning),
    B gives C 15 which a coordinator then reverses (so it counts nowhere). D does nothing.
    """
    people = {}
    for name in "ABCD":
        user = testing.make_person(f"{name.lower()}@town.example", f"Person {name}")
        people[name] = testing.join(user, riverside)
    org = Organisation.objects.create(community=riverside, name="Town Library", type=OrganisationType.values[0])
    gardening = Category.objects.create(community=riverside, name="Gardening", activity=Activity.GARDENING)
    cleaning = Category.objects.create(community=riverside, name="Cleaning", activity=Activity.CLEANING)
    with transaction.atomic():
        accounts = {name: services.account_for_membership(m) for name, m in people.items()}
        accounts["O"] = services.account_for_organisation(org)
    day = services.community_today(riverside).replace(day=1)
    rows = [("A", "B", 60, None), ("B", "A", 30, None), ("C", "A", 90, gardening.pk), ("C", "O", 30, cleaning.pk),
            ("B", "C", 15, None)]
    services.bulk_post_exchanges(riverside, [
        services.BulkRow(accounts[g].pk, accounts[r].pk, m, day, f"t{i}", category_id=c)
        for i, (g, r, m, c) in enumerate(rows)], keyed_by=coordinator)
    services.reverse_transfer(Transfer.objects.get(community=riverside, idempotency_key="t4"),
                              keyed_by=coordinator, reason="never happened", idempotency_key="rev")
    return {"people": people, "org": org, "gardening": gardening, "cleaning": cleaning}
