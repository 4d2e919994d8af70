"""Members suggest an entry or a correction; a coordinator accepts (making it) or declines with a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coproduce.assets import services
from coproduce.assets.models import Service, Suggestion, SuggestionStatus
from coproduce.assets.sync import organisation_for_community
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(member, riverside):
    return Membership.objects.select_related("user", "community").get(
        user=member, community=riverside
    )


@pytest.fixture
def suggestion(alice):
    return services.suggest(
        membership=alice,
        name="Repair café",
        details="First Saturday, fixing toasters.",
        place="Scout hut",
        postcode="rv1 4ef",
    )


def test_a_member_suggests_an_entry_and_it_waits_for_a_coordinator(suggestion, member):
    assert (suggestion.status, suggestion.postcode) == (SuggestionStatus.PENDING, "RV1 4EF")
    entry = AuditEntry.objects.get(action=AuditAction.ASSET_SUGGESTED)
    assert entry.actor == member and entry.subject == "Repair café"
    assert not Service.objects.filter(name="Repair café").exists()


def test_a_suggestion_needs_what_to_add(alice):
    with pytest.raises(ValidationError) as refused:
        services.suggest(membership=alice, name="Something", details="  ")
    assert "details" in refused.value.message_dict
    assert not Suggestion.objects.exists()


def test_accepting_makes_the_entry_and_is_audited(suggestion, riverside, coordinator, member):
    service = services.accept_suggestion(
        suggestion,
        actor=coordinator,
        organisation=organisation_for_community(riverside),
        name="Repair café",
        description="Bring something broken.",
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by, suggestion.service) == (
        SuggestionStatus.ACCEPTED,
        coordinator,
        service,
    )
    entry = AuditEntry.objects.get(action=AuditAction.ASSET_SUGGESTION_ACCEPTED)
    assert entry.actor == coordinator and entry.on_behalf_of == member
    with pytest.raises(ValidationError):  # decided once
        services.decline_suggestion(suggestion, actor=coordinator, reason="Changed my mind")


def test_accepting_a_correction_changes_that_entry(alice, riverside, coordinator):
    home = organisation_for_community(riverside)
    club = services.save_service(
        organisation=home, actor=coordinator, name="Lunch club", cost_detail="£2"
    )
    correction = services.suggest(
        membership=alice, service=club, name="", details="It costs £3 now."
    )
    assert correction.name == "Lunch club"
    services.accept_suggestion(
        correction,
        actor=coordinator,
        organisation=home,
        name="Lunch club",
        cost="paid",
        cost_detail="£3",
    )
    club.refresh_from_db()
    assert (club.cost, club.cost_detail) == ("paid", "£3")
    assert Service.objects.filter(name="Lunch club").count() == 1


def test_declining_needs_a_reason_and_is_audited(suggestion, coordinator, member):
    with pytest.raises(ValidationError) as refused:
        services.decline_suggestion(suggestion, actor=coordinator, reason=" ")
    assert "reason" in refused.value.message_dict
    services.decline_suggestion(suggestion, actor=coordinator, reason="It closed last year.")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == (
        SuggestionStatus.DECLINED,
        "It closed last year.",
    )
    entry = AuditEntry.objects.get(action=AuditAction.ASSET_SUGGESTION_DECLINED)
    assert entry.on_behalf_of == member and entry.detail["reason"] == "It closed last year."


def test_only_a_coordinator_of_the_community_decides(
    suggestion, member, other_coordinator, staff, riverside
):
    for someone in (member, other_coordinator, staff):
        with pytest.raises(ValidationError):
            services.decline_suggestion(suggestion, actor=someone, reason="No")
        with pytest.raises(ValidationError):
            services.accept_suggestion(
                suggestion,
                actor=someone,
                organisation=organisation_for_community(riverside),
                name="Repair café",
            )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING


# ------------------------------------------------------------------------------ through the pages


@pytest.mark.parametrize(
    "persona, status",
    [
        ("anonymous", (302, 403)),
        ("outsider", (403,)),
        ("other_member", (403,)),
        ("other_coordinator", (403,)),
        ("member", (302,)),
    ],
)
def test_who_may_suggest(client, request, riverside, persona, status):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("assets:suggest", args=["riverside"]),
        {"name": "Book swap", "details": "In the launderette."},
    )
    assert response.status_code in status
    assert Suggestion.objects.filter(name="Book swap").exists() == (persona == "member")


def test_a_bad_postcode_in_a_suggestion_is_a_form_error(client, member):
    client.force_login(member)
    response = client.post(
        reverse("assets:suggest", args=["riverside"]),
        {"name": "Book swap", "details": "In the launderette.", "postcode": "LAUNDRY"},
    )
    assert response.status_code == 200 and "Enter a UK postcode" in response.content.decode()
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("persona", ["member", "staff", "other_coordinator"])
def test_only_coordinators_see_and_decide_suggestions(client, request, suggestion, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("assets:suggestions", args=["riverside"])).status_code == 403
    assert (
        client.get(
            reverse("assets:suggestion_accept", args=["riverside", suggestion.pk])
        ).status_code
        == 403
    )
    response = client.post(
        reverse("assets:suggestion_decline", args=["riverside", suggestion.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING


def test_the_coordinator_accepts_through_the_prefilled_form(
    client, suggestion, coordinator, riverside
):
    client.force_login(coordinator)
    queue = client.get(reverse("assets:suggestions", args=["riverside"]))
    assert "Repair café" in queue.content.decode()
    url = reverse("assets:suggestion_accept", args=["riverside", suggestion.pk])
    form = client.get(url).context["form"]
    assert (form.initial["name"], form.initial["postcode"]) == ("Repair café", "RV1 4EF")
    response = client.post(
        url,
        {
            "organisation": organisation_for_community(riverside).pk,
            "name": "Repair café",
            "cost": "free",
            "postcode": "RV1 4EF",
            "place_name": "Scout hut",
        },
    )
    service = Service.objects.get(name="Repair café")
    assert response.status_code == 302 and response.url.endswith(f"/directory/{service.pk}/")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert (
        "Repair café"
        not in client.get(reverse("assets:suggestions", args=["riverside"])).content.decode()
    )


def test_the_coordinator_declines_with_a_reason_the_member_then_sees(
    client, suggestion, coordinator, member
):
    client.force_login(coordinator)
    url = reverse("assets:suggestion_decline", args=["riverside", suggestion.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "We list it already as Fix-it club."}).status_code == 302
    client.force_login(member)
    page = client.get(reverse("assets:suggest", args=["riverside"])).content.decode()
    assert "We list it already as Fix-it club." in page and "declined" in page


def test_a_member_suggests_a_correction_from_the_entrys_page(
    client, member, coordinator, riverside
):
    club = services.save_service(
        organisation=organisation_for_community(riverside), actor=coordinator, name="Lunch club"
    )
    client.force_login(member)
    response = client.post(
        reverse("assets:suggest_correction", args=["riverside", club.pk]),
        {"details": "It moved to Thursdays."},
    )
    assert response.status_code == 302
    correction = Suggestion.objects.get()
    assert (correction.service, correction.name, correction.details) == (
        club,
        "Lunch club",
        "It moved to Thursdays.",
    )
