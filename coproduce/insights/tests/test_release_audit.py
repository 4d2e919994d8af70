"""The independent auditor (``release_auditor``: linear programming over everything a release's
pages publish) on random small communities built through the real services, on their first
quarter and a later one, under both rules; and on the demo."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coproduce import testing
from coproduce.communities.activities import Activity
from coproduce.communities.models import Category
from coproduce.insights.figures import add_months
from coproduce.insights.models import PublicRelease
from coproduce.insights.tests.release_auditor import audit, read_release
from coproduce.ledger import services
from coproduce.partners.models import Organisation, OrganisationType


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# Two quarters that are released (over for more than 30 days) and offered, whatever today is.
LATER = add_months(quarter_start(datetime.date.today()), -6)
EARLIER = add_months(LATER, -3)


@pytest.fixture
def cast(riverside, coordinator):
    """Six members (two areas, one with none), an organisation with an area, categories."""
    north, south = riverside.areas.order_by("code")
    people = []
    for i, area in enumerate([north, north, south, south, north, None]):
        member = testing.join(testing.make_person(f"cast{i}@example.org", f"Cast {i}"), riverside, area=area)
        if area is None:
            member.area = None
            member.save()
        people.append(member)
    library = Organisation.objects.create(community=riverside, name="Library", type=OrganisationType.values[0],
                                          area=south)
    categories = [Category.objects.create(community=riverside, name=name, activity=activity)
                  for name, activity in (("Gardening", Activity.GARDENING), ("Lifts", Activity.TRANSPORT))] + [None]
    return {"people": people, "org": library, "categories": categories}


# An operation: (what, a, b, month of the quarter, category, minutes); parties 0-5 are members, 6 the library.
operation = st.tuples(st.sampled_from(["exchange", "exchange", "exchange", "class", "pot_session", "event",
                                       "reverse"]),
                      st.integers(0, 6), st.integers(0, 6), st.integers(0, 2), st.integers(0, 2),
                      st.sampled_from([15, 30, 60, 90]))


def _post(community, coordinator, cast, operations, quarter):
    people, org, categories = cast["people"], cast["org"], cast["categories"]
    parties = [*people, org]
    posted = []
    for i, (what, a, b, month, category, minutes) in enumerate(operations):
        day = add_months(quarter, month) + datetime.timedelta(days=(i * 3) % 27)
        key = f"op{quarter:%Y%m}-{i}"
        try:
            if what == "exchange" and a != b:
                posted.append(services.record_exchange(
                    community=community, giver=parties[a], receiver=parties[b], minutes=minutes, performed_on=day,
                    keyed_by=coordinator, idempotency_key=key, category=categories[category]))
            elif what == "class":
                receivers = [p for j, p in enumerate(people) if j != a % 6][: 2 + b % 3]
                posted.append(services.record_group_exchange(
                    community=community, givers=[(people[a % 6], minutes)], receivers=receivers, performed_on=day,
                    keyed_by=coordinator, idempotency_key=key, category=categories[category]))
            elif what == "pot_session":  # one facilitator, paid from the pot
                receivers = [p for j, p in enumerate(people) if j != a % 6][:3]
                posted.append(services.record_group_exchange(
                    community=community, givers=[(people[a % 6], minutes)], receivers=receivers, performed_on=day,
                    keyed_by=coordinator, idempotency_key=key, paid_by_pot=True, category=categories[category]))
            elif what == "event" and a % 6 != b % 6:
                givers = [(people[a % 6], minutes), (people[(a + 3) % 6], minutes)]
                if b % 6 not in (a % 6, (a + 3) % 6):
                    posted.append(services.record_group_exchange(
                        community=community, givers=givers, receivers=[people[b % 6]], performed_on=day,
                        keyed_by=coordinator, idempotency_key=key, category=categories[category]))
            elif what == "reverse" and posted:
                transfer = posted.pop(a % len(posted))
                if transfer.status == "posted":
                    services.reverse_transfer(transfer, keyed_by=coordinator, reason="mistake",
                                              idempotency_key=f"r{key}")
        except ValidationError:
            continue


def _offered(client) -> list[str]:
    """The quarters the public figures page offers (as anyone sees them)."""
    import re

    page = client.get("/c/riverside/figures/").content.decode()
    return re.findall(r'<option value="(\d{4}-\d{2}-\d{2})"', page)


def _audited(client, quarter):
    published = read_release(client, "riverside", quarter.isoformat())
    found = audit(published)
    assert not found, found
    # The pages are the release's stored cells, nothing recomputed.
    release = PublicRelease.objects.filter(period_start=quarter).order_by("-version").first()
    stored = [*release.figures["tables"], *release.figures["network"]["tables"]]
    assert {t["name"]: [[str(c) for c in row] for row in t["rows"]] for t in stored} == published.tables


@settings(max_examples=18, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(earlier=st.lists(operation, max_size=10), later=st.lists(operation, max_size=22),
       k=st.sampled_from([3, 5]), rule=st.sampled_from(["suppress", "suppress", "round"]))
def test_auditor_finds_no_hidden_count_narrowed_on_random_communities(client, riverside, coordinator, cast,
                                                                      earlier, later, k, rule):
    cache.clear()
    with transaction.atomic():
        riverside.small_count_k, riverside.small_count_rule = k, rule
        riverside.save()
        _post(riverside, coordinator, cast, earlier, EARLIER)
        _post(riverside, coordinator, cast, later, LATER)
        # The earlier quarter is the community's first when anything happened in it (else the later one is).
        offered = _offered(client)
        for quarter in (EARLIER, LATER):
            if quarter.isoformat() in offered:
                _audited(client, quarter)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_auditor_passes_on_the_demo(client):
    from coproduce.demo.seed import seed_demo
    from coproduce.insights import releases
    from coproduce.ledger.services import community_today

    community = seed_demo(members=300, exchanges=2500, months=12).community
    quarters = releases.released_quarters(community, community_today(community))
    assert len(quarters) >= 3
    for index, quarter in enumerate(quarters[:3]):
        published = read_release(client, community.slug, quarter.isoformat())
        if index < 2:  # the demo's latest quarters publish real figures; its first months are sparse
            assert published.tables["per-month"][-1][1] not in ("not shown", "fewer than 5")
        assert not audit(published), quarter
    community.small_count_rule = "round"
    community.save()
    PublicRelease.objects.filter(community=community).delete()  # a rounding community's first releases
    for quarter in quarters[:2]:
        assert not audit(read_release(client, community.slug, quarter.isoformat()))
