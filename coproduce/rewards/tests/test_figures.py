"""The marketplace's figures, checked against a count made here from the redemptions, with small
counts withheld; venues record members who came back paying; coordinators only."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from coproduce import testing
from coproduce.members.models import Membership
from coproduce.partners.models import Redemption
from coproduce.partners.rewards import record_came_back_paying
from coproduce.partners.services import save_listing
from coproduce.rewards import figures, services


@pytest.fixture
def crowd(riverside):
    people = []
    for i in range(8):
        user = testing.make_person(f"p{i}@example.org", f"Person {i}")
        testing.join(user, riverside)
        people.append(Membership.objects.get(user=user))
    return people


def spend(listing, membership, venue, till):
    code = services.issue_code(listing, membership=membership, actor=membership.user)
    return services.redeem_code(venue, code.code, actor=till)[0]


def test_figures_match_a_recount_and_small_cells_are_withheld(riverside, crowd, coordinator, pat, pool, swim):
    riverside.small_count_k = 3
    riverside.save(update_fields=["small_count_k"])
    gym = save_listing(pool, actor=coordinator, title="Gym", description="", minutes=30)
    for person in crowd[:5]:
        spend(swim, person, pool, pat)
    for person in crowd[:2]:  # two of them come back
        spend(gym, person, pool, pat)
    result = figures.marketplace(riverside)

    # Recount, straight from the rows.
    rows = list(Redemption.objects.all())
    per_person = Counter(r.membership_id for r in rows)
    active = Membership.objects.filter(community=riverside, status="active").count()
    assert result.spenders == len(per_person) == 5
    assert result.share_spending == pytest.approx(5 / active)
    assert result.share_repeat is None  # 2 repeaters: fewer than k
    (row,) = result.by_venue  # one venue, this month
    assert (row.venue, row.redemptions, row.minutes) == ("Riverside Pool", 7, sum(r.minutes for r in rows))
    assert result.by_kind == [("leisure centre or sports", 7, 5 * 60 + 2 * 30)]
    assert result.came_back_paying is None

    for redemption in Redemption.objects.filter(membership__in=crowd[:3], listing=swim):
        record_came_back_paying(redemption, actor=pat, on=redemption.redeemed_on)
    assert figures.marketplace(riverside).came_back_paying == 3


def test_a_month_with_few_spends_shows_neither_count_nor_credits(riverside, crowd, pat, pool, swim):
    riverside.small_count_k = 5
    riverside.save(update_fields=["small_count_k"])
    spend(swim, crowd[0], pool, pat)
    (row,) = figures.marketplace(riverside).by_venue
    assert row.redemptions is None and row.minutes is None


def test_came_back_paying_is_the_venues_own_to_record(riverside, crowd, pat, staff, pool, swim):
    redemption = spend(swim, crowd[0], pool, pat)
    with pytest.raises(ValidationError, match="own staff and coordinators"):
        record_came_back_paying(redemption, actor=staff, on=redemption.redeemed_on)
    with pytest.raises(ValidationError, match="not before"):
        record_came_back_paying(redemption, actor=pat, on=redemption.redeemed_on - datetime.timedelta(days=1))


def test_the_pages(client, riverside, crowd, coordinator, member, pat, pool, swim):
    redemption = spend(swim, crowd[0], pool, pat)
    client.force_login(member)
    assert client.get("/c/riverside/spend/figures/").status_code == 403
    assert client.get(f"/c/riverside/partners/{pool.pk}/counter/recent/").status_code == 403
    client.force_login(pat)
    page = client.get(f"/c/riverside/partners/{pool.pk}/counter/recent/").content.decode()
    assert "Person 0 came back paying" in page
    client.post(f"/c/riverside/partners/{pool.pk}/counter/recent/", {"redemption": redemption.pk})
    redemption.refresh_from_db()
    assert redemption.came_back_paying_on == redemption.redeemed_on
    client.force_login(coordinator)
    page = client.get("/c/riverside/spend/figures/").content.decode()
    assert "Riverside Pool" in page and "not shown" in page  # one spend: fewer than k
