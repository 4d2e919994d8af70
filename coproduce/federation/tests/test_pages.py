"""The pages about linked banks, the API's crossings, the linked offers feed, the task queue's
retries and the reconciliation command: who may do what, and what each does."""

import datetime
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from coproduce import testing
from coproduce.api.tests import client as api
from coproduce.federation import services
from coproduce.federation.models import Crossing, CrossingState, Link
from coproduce.ledger import services as ledger
from coproduce.market import services as market
from coproduce.testing import LOGIN

LINKED = "/c/riverside/linked/"
MANAGE = "/c/riverside/linked/manage/"


@pytest.mark.parametrize("url, expected", [
    # anonymous, outsider, member, other community's member, coordinator, other coordinator, site admin
    # A coordinator is a member too; a site admin who is not a member records nothing here.
    pytest.param(LINKED, (LOGIN, 403, 200, 403, 200, 403, 403), id="linked"),
    pytest.param("/c/riverside/linked/offers/", (LOGIN, 403, 200, 403, 200, 403, 200), id="offers"),
    pytest.param(MANAGE, (LOGIN, 403, 403, 403, 200, 403, 200), id="manage"),
])
def test_who_may_open_the_linked_bank_pages(banks, request, subtests, url, expected, site_admin):
    for _persona, status, isolated in testing.each_persona(request, subtests, expected):
        with isolated as client:
            testing.assert_status(client.get(url), status)


@pytest.mark.parametrize("persona, status", [("anonymous", LOGIN), ("member", 403), ("other_coordinator", 403),
                                             ("coordinator", 200)])
def test_only_the_communitys_coordinators_check_a_link(banks, as_persona, persona, status):
    here, _there = banks
    response = as_persona(persona).post(f"/c/riverside/linked/{here.pk}/check/")
    testing.assert_status(response, status)
    if status == 200:
        assert "Both time banks agree" in response.content.decode()


def test_a_member_records_help_from_a_member_of_a_linked_bank(banks, alice, olga, client, member,
                                                             django_capture_on_commit_callbacks):
    here, _there = banks
    client.force_login(member)
    page = client.get(LINKED)
    assert "Hilltop Time Bank" in page.content.decode()
    token = page.context["form"].initial["token"]
    form = {"link": here.pk, "their_member": olga.pk, "minutes": "1:30",
            "performed_on": ledger.community_today(here.community).isoformat(), "description": "Lift", "token": token}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LINKED, form)
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LINKED, form)  # a double submit records once
    crossing = Crossing.objects.get(link=here)
    assert (crossing.state, crossing.minutes, crossing.their_name) == (CrossingState.COMPLETED, 90, "Olga Other")
    page = client.get(LINKED).content.decode()
    assert "Olga Other" in page and "done" in page


def test_the_record_form_shows_a_refusal_on_the_page_and_books_nothing(banks, alice, olga, client, member):
    here, _there = banks
    ledger.set_clearing_limits(here.account, we_may_owe=30, they_may_owe=0)
    client.force_login(member)
    response = client.post(LINKED, {"link": here.pk, "their_member": olga.pk, "minutes": "1",
                                    "performed_on": ledger.community_today(here.community).isoformat(),
                                    "token": str(uuid.uuid4())})
    assert response.status_code == 200
    assert "Hilltop Time Bank" in " ".join(response.context["form"].non_field_errors())
    assert not Crossing.objects.exists()
    # A link of another community is not among the choices.
    other = Link.objects.get(community__slug="hilltop")
    response = client.post(LINKED, {"link": other.pk, "their_member": olga.pk, "minutes": "1",
                                    "performed_on": "2026-01-01", "token": str(uuid.uuid4())})
    assert "link" in response.context["form"].errors


def test_a_coordinator_links_a_bank_from_the_page_and_sees_its_balance(riverside, client, coordinator, hilltop):
    client.force_login(coordinator)
    key = services.node_for(hilltop).public_key
    response = client.post(MANAGE, {"name": "Hilltop", "peer_url": "https://hilltop.example", "peer_slug": "hilltop",
                                    "peer_public_key": "not a key", "we_may_owe": "10 hours", "they_may_owe": "5"})
    assert "peer_public_key" in response.context["form"].errors and not Link.objects.exists()
    response = client.post(MANAGE, {"name": "Hilltop", "peer_url": "https://hilltop.example", "peer_slug": "hilltop",
                                    "peer_public_key": key, "we_may_owe": "10 hours", "they_may_owe": "5 hours"})
    assert response.status_code == 302
    link = Link.objects.get()
    assert (link.account.max_override, link.account.min_override) == (600, -300)
    page = client.get(MANAGE).content.decode()
    assert services.node_for(riverside).public_key in page and "Hilltop" in page and "even" in page


def test_offers_feed_shows_only_what_authors_let_linked_banks_see(banks, alice, olga, client, member, hilltop):
    category = hilltop.categories.first()
    market.create_post(author=olga, actor=olga.user, kind="offer", title="Bicycle repairs", category=category,
                       visible_to_linked_banks=True)
    market.create_post(author=olga, actor=olga.user, kind="offer", title="Bicycle lessons", category=category)
    here, _there = banks
    client.force_login(member)
    page = client.get("/c/riverside/linked/offers/", {"link": here.pk, "q": "bicycle"}).content.decode()
    assert "Bicycle repairs" in page and "Bicycle lessons" not in page
    assert "Posted by Olga, member" in page and "Other" not in page.split("Bicycle repairs")[1][:300]


def test_offers_page_says_when_the_other_bank_does_not_answer(banks, client, member, wire):
    here, _there = banks
    wire.down = True
    client.force_login(member)
    page = client.get("/c/riverside/linked/offers/", {"link": here.pk, "q": ""}).content.decode()
    assert "did not answer" in page


def test_the_api_records_a_crossing_with_the_exchanges_scope(banks, alice, olga, client, member,
                                                            django_capture_on_commit_callbacks):
    here, _there = banks
    url = "/api/v1/communities/riverside/crossings"
    body = {"bank": here.pk, "their_member": olga.pk, "minutes": 60, "uuid": str(uuid.uuid4()),
            "performed_on": ledger.community_today(here.community).isoformat()}
    assert client.post(url, body, content_type="application/json").status_code == 401
    reader = api.token(member, scopes=("read",))
    assert api.send(client, reader, url, **body).status_code == 403
    raw = api.token(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.send(client, raw, url, **body)
    # Booked here and answered at once; sent to the other bank when the transaction commits.
    assert response.status_code == 201 and response.json()["state"] == "pending"
    assert Crossing.objects.get(link=here).state == CrossingState.COMPLETED
    assert api.get(client, reader, url).json()[0]["their_name"] == "Olga Other"
    assert api.get(client, reader, "/api/v1/communities/riverside/linked-banks").json() == [
        {"id": here.pk, "name": "Hilltop Time Bank"}]
    # Bad input: the field named, nothing booked.
    other_link = Link.objects.get(community__slug="hilltop")
    for change, field in [({"bank": other_link.pk}, "bank"), ({"minutes": 7}, "minutes"),
                          ({"performed_on": "2999-01-01"}, "performed_on")]:
        response = api.send(client, raw, url, **{**body, "uuid": str(uuid.uuid4()), **change})
        assert response.status_code == 400 and field in api.errors(response), (field, response.content)
    assert Crossing.objects.filter(link=here).count() == 1


def test_the_api_refuses_another_communitys_crossings(banks, client, other_member):
    raw = api.token(other_member)
    response = api.get(client, raw, "/api/v1/communities/riverside/crossings")
    assert response.status_code == 403 and api.errors(response)["detail"]


def test_a_retry_waits_in_the_task_queue_when_the_backend_can_defer(banks, alice, olga, wire, settings,
                                                                   django_capture_on_commit_callbacks):
    from django_tasks.backends.dummy import DummyBackend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    here, _there = banks
    wire.down = True
    crossing = services.start_crossing(here, member=alice, their_member=olga.pk, minutes=60,
                                       performed_on=ledger.community_today(here.community), description="",
                                       keyed_by=alice.user)
    services.deliver(crossing.pk)
    backend = services.deliver_crossing.get_backend()
    assert isinstance(backend, DummyBackend)
    queued = [result for result in backend.results if result.task.func.__name__ == "deliver_crossing"]
    assert queued and queued[-1].args == [crossing.pk, 1]  # the retry of attempt 1
    crossing.refresh_from_db()
    assert queued[-1].task.run_after == crossing.next_try_at
    # Each failure waits longer, up to the cap.
    waits = []
    for _ in range(12):
        before = timezone.now()
        services.deliver(crossing.pk)
        crossing.refresh_from_db()
        waits.append((crossing.next_try_at - before).total_seconds())
    assert [round(wait) for wait in waits] == [min(2 ** n, services.RETRY_CAP) for n in range(1, 13)]


def test_the_reconciliation_command_prints_each_link_and_fails_on_a_difference(banks, alice, olga, capsys,
                                                                               django_capture_on_commit_callbacks):
    here, there = banks
    with django_capture_on_commit_callbacks(execute=True):
        services.start_crossing(here, member=alice, their_member=olga.pk, minutes=60,
                                performed_on=ledger.community_today(here.community), description="",
                                keyed_by=alice.user)
    call_command("reconcile_federation")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and '"agrees": true' in lines[0] and '"our_balance": 60' in lines[0]
    # Hilltop books something against its clearing account outside the protocol: no longer agreeing.
    ledger.post_crossing(clearing=there.account, member=olga, member_gains=30,
                         performed_on=ledger.community_today(there.community), description="", keyed_by=olga.user,
                         uuid=uuid.uuid4())
    with pytest.raises(CommandError):
        call_command("reconcile_federation", community="riverside")
    assert "do not mirror" in capsys.readouterr().out


def test_the_key_and_link_commands(riverside, hilltop, coordinator, capsys):
    call_command("federation_key", "hilltop")
    key = capsys.readouterr().out.strip()
    assert key == services.node_for(hilltop).public_key
    call_command("link_bank", "riverside", name="Hilltop", url="https://hilltop.example", peer_slug="hilltop",
                 peer_key=key, we_may_owe=60, they_may_owe=60, by=coordinator.email)
    assert Link.objects.get().peer_slug == "hilltop"
    with pytest.raises(CommandError, match="peer_public_key"):
        call_command("link_bank", "riverside", name="Again", url="https://hilltop.example", peer_slug="hilltop",
                     peer_key=key, we_may_owe=60, they_may_owe=60, by=coordinator.email)
    with pytest.raises(CommandError, match="No community"):
        call_command("federation_key", "nowhere")


def test_a_past_due_crossing_is_sent_by_the_command_after_a_restart(banks, alice, olga, wire,
                                                                    django_capture_on_commit_callbacks):
    here, _there = banks
    wire.down = True
    with django_capture_on_commit_callbacks(execute=True):
        crossing = services.start_crossing(here, member=alice, their_member=olga.pk, minutes=60,
                                           performed_on=ledger.community_today(here.community), description="",
                                           keyed_by=alice.user)
    Crossing.objects.filter(pk=crossing.pk).update(next_try_at=timezone.now() - datetime.timedelta(seconds=1))
    wire.down = False
    call_command("reconcile_federation")
    crossing.refresh_from_db()
    assert crossing.state == CrossingState.COMPLETED
