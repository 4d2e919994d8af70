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


# ---------------------------------------------------------------------------- venues give their time


def test_a_venues_time_for_the_community_is_paid_by_the_pot_once_a_coordinator_approves(
        riverside, pool, pat, coordinator, yesterday):
    from coproduce.ledger.models import HoldReason, TransferStatus
    from coproduce.partners.services import record_time_for_community

    pot = ledger.pot_for(riverside)
    pot_before = pot.balance
    claim = record_time_for_community(pool, actor=pat, minutes=120, performed_on=yesterday,
                                      description="The community room for the carers' circle", idempotency_key="room-1")
    again = record_time_for_community(pool, actor=pat, minutes=120, performed_on=yesterday,
                                      description="The community room for the carers' circle", idempotency_key="room-1")
    assert again.pk == claim.pk  # a double submit records it once
    assert (claim.status, claim.hold_reason) == (TransferStatus.HELD, HoldReason.COMMUNITY_TIME)
    assert balance(pool, riverside) == 0  # nothing moves before a coordinator approves
    assert AuditEntry.objects.filter(detail__transfer=claim.pk, detail__authority="staff of Riverside Pool").exists()

    ledger.approve_transfer(claim, approver=coordinator)
    assert balance(pool, riverside) == 120
    pot.refresh_from_db()
    assert pot.balance == pot_before - 120
    assert check_ledger(riverside)[1] == []


def test_a_coordinators_own_claim_needs_another_coordinator(riverside, pool, coordinator, yesterday):
    from coproduce.partners.services import record_time_for_community

    claim = record_time_for_community(pool, actor=coordinator, minutes=60, performed_on=yesterday,
                                      description="Two staff at the litter pick", idempotency_key="pick-1")
    with pytest.raises(ValidationError, match="Another coordinator"):
        ledger.approve_transfer(claim, approver=coordinator)
    assert balance(pool, riverside) == 0


@pytest.mark.parametrize(
    ("minutes", "description", "message"),
    [
        (60, "  ", "Say what your organisation gave"),
        (0, "A room", "minute"),
    ],
)
def test_a_claim_says_what_and_how_long_or_changes_nothing(riverside, pool, pat, yesterday, minutes, description,
                                                           message):
    from coproduce.ledger.models import Transfer
    from coproduce.partners.services import record_time_for_community

    with pytest.raises(ValidationError, match=message):
        record_time_for_community(pool, actor=pat, minutes=minutes, performed_on=yesterday, description=description,
                                  idempotency_key="bad")
    assert not Transfer.objects.exists()


def test_only_its_staff_or_a_coordinator_records_a_venues_time(riverside, pool, staff, member, yesterday):
    from coproduce.ledger.models import Transfer
    from coproduce.partners.services import record_time_for_community

    for outsider in (staff, member):
        with pytest.raises(ValidationError, match="own staff and coordinators"):
            record_time_for_community(pool, actor=outsider, minutes=60, performed_on=yesterday,
                                      description="A room", idempotency_key=f"x-{outsider.pk}")
    with pytest.raises(ValidationError, match="own staff or a coordinator"):  # the ledger wants an authority
        ledger.claim_from_pot(community=riverside, organisation=pool, minutes=60, performed_on=yesterday,
                              keyed_by=member, idempotency_key="none", description="A room", authority="")
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("anonymous", 302), ("other_coordinator", 403), ("member", 403),
                                                 ("staff", 403), ("pat", 200), ("coordinator", 200)])
def test_the_time_page_for_each_role(client, request, riverside, pool, pat, staff, persona, status):
    from coproduce.ledger.models import Transfer

    url = f"/c/riverside/partners/{pool.pk}/gave-time/"
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == status
    posted = client.post(url, {"description": "The hall for the lunch club", "minutes": "2:00",
                               "performed_on": riverside_today(riverside), "token": f"page-{persona}"})
    assert posted.status_code == (302 if status == 200 else status)
    assert Transfer.objects.filter(status="held").count() == (1 if status == 200 else 0)


def test_the_time_page_shows_what_is_missing(client, riverside, pool, pat):
    from coproduce.ledger.models import Transfer

    client.force_login(pat)
    response = client.post(f"/c/riverside/partners/{pool.pk}/gave-time/",
                           {"description": "", "minutes": "2:00", "performed_on": riverside_today(riverside),
                            "token": "missing"})
    assert response.status_code in (200, 400) and response.context["form"].errors["description"]
    assert not Transfer.objects.exists()
    assert "Record time you gave the community" in client.get(f"/c/riverside/partners/{pool.pk}/").content.decode()


def riverside_today(community) -> str:
    return ledger.community_today(community).isoformat()


def test_a_venues_gift_and_its_audit_entry_stand_or_fall_together(riverside, pool, pat, monkeypatch):
    from coproduce.ledger.models import Transfer
    from coproduce.ledger.services import exchanges

    riverside.organisation_floor_minutes = -600
    riverside.save(update_fields=["organisation_floor_minutes"])

    def audit_fails(**kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(exchanges, "record_audit", audit_fails)
    with pytest.raises(RuntimeError):
        give_to_pot(pool, actor=pat, minutes=15, idempotency_key="all-or-nothing")
    assert not Transfer.objects.filter(idempotency_key="all-or-nothing").exists()
    assert balance(pool, riverside) == 0
