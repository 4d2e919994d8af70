"""A local business joins as a venue: a member asks, a coordinator approves (the business becomes
a partner organisation with the member as its staff) or declines with a reason."""

import pytest
from django.core.exceptions import ValidationError

from coproduce.partners.models import Organisation, Staff
from coproduce.rewards import services
from coproduce.rewards.models import VenueApplication


def ask(alice, member, **fields):
    return services.apply_as_venue(alice, actor=member, **{"name": "Corner Café", "type": "cafe", **fields})


def test_a_member_asks_and_a_coordinator_approves(riverside, alice, member, coordinator):
    application = ask(alice, member, description="Tea and toast.", contact_phone="01234 567890")
    with pytest.raises(ValidationError, match="already asked"):
        ask(alice, member, name="Another")
    venue = services.approve_venue(application, actor=coordinator)
    assert (venue.name, venue.type, venue.contact_email) == ("Corner Café", "cafe", "alice@example.org")
    assert Staff.objects.active().filter(organisation=venue, user=member).exists()
    application.refresh_from_db()
    assert application.status == "approved" and application.organisation == venue
    with pytest.raises(ValidationError, match="already been decided"):
        services.approve_venue(application, actor=coordinator)


def test_declining_needs_a_reason_and_only_coordinators_decide(alice, member, second_member, coordinator):
    application = ask(alice, member)
    with pytest.raises(ValidationError, match="Only a coordinator"):
        services.approve_venue(application, actor=second_member)
    with pytest.raises(ValidationError, match="Say why"):
        services.decline_venue(application, actor=coordinator, reason=" ")
    services.decline_venue(application, actor=coordinator, reason="Not in our area.")
    assert not Organisation.objects.filter(name="Corner Café").exists()
    ask(alice, member)  # may ask again


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"name": ""}, "Give the business"), ({"type": "health"}, "kind of business"),
     ({"name": "riverside pool"}, "already takes part")],
)
def test_bad_requests(alice, member, pool, fields, message):
    with pytest.raises(ValidationError, match=message):
        ask(alice, member, **fields)
    assert not VenueApplication.objects.exists()


def test_members_ask_for_themselves(alice, second_member):
    with pytest.raises(ValidationError, match="their own business"):
        ask(alice, second_member)


def test_the_pages(client, alice, member, coordinator):
    client.force_login(member)
    assert client.post("/c/riverside/spend/join/", {"name": "Corner Café", "type": "cafe"}).status_code == 302
    assert "waiting for a coordinator" in client.get("/c/riverside/spend/join/").content.decode()
    assert client.get("/c/riverside/spend/join/requests/").status_code == 403
    client.force_login(coordinator)
    application = VenueApplication.objects.get()
    assert "Approve Corner Café" in client.get("/c/riverside/spend/join/requests/").content.decode()
    client.post("/c/riverside/spend/join/requests/", {"application": application.pk, "decision": "decline"})
    application.refresh_from_db()
    assert application.status == "pending"  # no reason given: nothing decided
    client.post("/c/riverside/spend/join/requests/", {"application": application.pk, "decision": "approve"})
    application.refresh_from_db()
    assert application.status == "approved"
    client.force_login(member)
    assert f"/c/riverside/partners/{application.organisation_id}/" in client.get(
        "/c/riverside/spend/join/").content.decode()
