"""Point 5: the records of processing show the lawful basis each community states, where it
states another than the one the platform declares."""

from django.urls import reverse

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.lib.personal_data import Basis, Purpose
from coproduce.market.models import Post
from coproduce.privacy import registry
from coproduce.testing import LOGIN, assert_status, each_persona


def test_a_coordinator_states_a_basis_and_the_records_show_it(client, coordinator, site_admin, riverside):
    client.force_login(coordinator)
    url = reverse("privacy:lawful_bases", args=["riverside"])
    page = client.get(url).content.decode()
    assert "As the platform declares: Contract (the membership agreement)" in page
    response = client.post(url, {Purpose.MATCHING: Basis.LEGITIMATE_INTERESTS, Purpose.OUTCOMES: ""})
    assert response.status_code == 302
    riverside.refresh_from_db()
    assert riverside.lawful_bases == {"matching": "legitimate_interests"}
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED, actor=coordinator)
    assert entry.detail["changes"] == {"lawful_bases": {"matching": ["", "legitimate_interests"]}}
    # What the community states is what its offers and requests are held on; other communities keep the default.
    assert registry.basis_for(Post.personal_data, riverside) == Basis.LEGITIMATE_INTERESTS
    assert registry.basis_for(Post.personal_data) == Basis.CONTRACT
    client.force_login(site_admin)
    records = client.get(reverse("privacy:records")).content.decode()
    assert "Riverside Time Bank: Legitimate interests" in records


def test_a_basis_not_on_the_list_is_refused(client, coordinator, riverside):
    client.force_login(coordinator)
    response = client.post(reverse("privacy:lawful_bases", args=["riverside"]), {Purpose.MATCHING: "whim"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    riverside.refresh_from_db()
    assert riverside.lawful_bases == {}
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_who_may_state_the_bases(request, subtests, member, outsider, other_member, coordinator, other_coordinator,
                                 site_admin):
    url = reverse("privacy:lawful_bases", args=["riverside"])
    for _persona, status, isolated in each_persona(request, subtests, [LOGIN, 403, 403, 403, 200, 403, 200]):
        with isolated as client:
            assert_status(client.get(url), status)
