"""Businesses give too: a venue passes credits it earned on to the community pot, by its own
staff only, audited, within its floor, and the ledger stays balanced."""

import pytest
from django.core.exceptions import ValidationError

from coproduce.audit.models import AuditEntry
from coproduce.ledger import services as ledger
from coproduce.ledger.queries import check_ledger
from coproduce.partners.services import give_to_pot
from coproduce.rewards import services


def balance(party, community) -> int:
    account = ledger.account_of(party, community)
    account.refresh_from_db()
    return account.balance


def test_a_venue_passes_what_it_earned_on_to_the_pot(riverside, alice, member, pat, pool, swim):
    services.redeem_code(pool, services.issue_code(swim, membership=alice, actor=member).code, actor=pat)
    pot = ledger.pot_for(riverside)
    before = pot.balance
    give_to_pot(pool, actor=pat, minutes=60, idempotency_key="give-1")
    give_to_pot(pool, actor=pat, minutes=60, idempotency_key="give-1")  # a double submit
    assert balance(pool, riverside) == 0
    pot.refresh_from_db()
    assert pot.balance == before + 60
    assert AuditEntry.objects.filter(detail__authority="staff of Riverside Pool").count() == 1
    assert check_ledger(riverside)[1] == []


def test_only_its_own_staff_or_a_coordinator(riverside, pool, pat, staff, member, coordinator):
    for outsider in (staff, member):
        with pytest.raises(ValidationError, match="own staff and coordinators"):
            give_to_pot(pool, actor=outsider, minutes=15, idempotency_key=f"x-{outsider.pk}")
    # The ledger itself refuses an organisation's gift that names no authority.
    with pytest.raises(ValidationError, match="organisation's own staff"):
        ledger.give_credits(community=riverside, giver=pool, to=None, minutes=15, keyed_by=pat,
                            idempotency_key="no-authority")


def test_the_venues_floor_holds(riverside, pool, pat):
    riverside.organisation_floor_minutes = 0
    riverside.save(update_fields=["organisation_floor_minutes"])
    with pytest.raises(ValidationError):
        give_to_pot(pool, actor=pat, minutes=15, idempotency_key="below-floor")
    assert balance(pool, riverside) == 0


def test_the_page(client, riverside, pool, pat, member):
    url = f"/c/riverside/partners/{pool.pk}/give/"
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(pat)
    assert client.get(url).status_code == 200
    riverside.organisation_floor_minutes = -600
    riverside.save(update_fields=["organisation_floor_minutes"])
    done = client.post(url, {"minutes": "1:00", "description": "For the Christmas lunch", "token": "page-1"})
    assert done.status_code == 302 and balance(pool, riverside) == -60
