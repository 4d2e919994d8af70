"""Point 1 and 3: a person downloads a copy of their data; a coordinator does it for an assisted
member, with a reason that is audited. Only whoever asked can see a copy, for 7 days."""

import datetime
import io
import json
import zipfile

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coproduce import testing
from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Membership, Role
from coproduce.privacy import archive, services
from coproduce.privacy.models import DataExport
from coproduce.testing import LOGIN, assert_status, each_persona


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                      else response.content))


def test_a_member_asks_for_a_copy_and_downloads_it(client, member, riverside, django_capture_on_commit_callbacks):
    client.force_login(member)
    # 1. "Your data" says what is held and offers the copy.
    page = client.get(reverse("privacy:my_data"))
    assert page.status_code == 200
    assert "Make a copy of my data" in page.content.decode()
    assert "Wellbeing answers" in page.content.decode()  # a kind of record, from the declarations
    # 2. Asking makes it (in the background, once the request's transaction commits) and goes to its page.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:ask_for_copy"))
    export = DataExport.objects.get(person=member)
    assert response.status_code == 302 and response.url == reverse("privacy:copy", args=[export.pk])
    assert export.status == DataExport.Status.DONE and export.parts_done == export.parts_total == archive.parts()
    page = client.get(response.url).content.decode()
    assert reverse("privacy:download", args=[export.pk]) in page
    # 3. The e-mail carries the link, not the data.
    [message] = mail.outbox
    assert message.to == [member.email]
    assert reverse("privacy:copy", args=[export.pk]) in message.body
    assert "Riverside" not in message.body and "@" not in message.body.split("--")[0].replace(member.email, "")
    # 4. The download: one zip with the data for computers, spreadsheets and a browser.
    download = client.get(reverse("privacy:download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Cache-Control"] == "private, no-store"
    files = _zip(download)
    assert {"data.json", "index.html", "csv/accounts_User.csv", "csv/members_Membership.csv"} <= set(files.namelist())
    data = json.loads(files.read("data.json"))
    [profile] = data["records"]["accounts.User"]["rows"]
    columns = data["records"]["accounts.User"]["columns"]
    assert dict(zip(columns, profile, strict=True))["email"] == member.email
    assert "password" not in columns
    [membership] = data["records"]["members.Membership"]["rows"]
    assert "Riverside Time Bank" in membership  # the community by name, not a number
    assert "Alice Ashby" in files.read("index.html").decode()
    # 5. Both steps are in the audit log.
    assert list(AuditEntry.objects.filter(actor=member).values_list("action", flat=True).order_by("id")) == [
        AuditAction.DATA_COPY_REQUESTED, AuditAction.DATA_COPY_DOWNLOADED]


def test_a_second_click_while_it_is_being_made_makes_no_second_copy(member, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    first = services.request_copy(member, requested_by=member)
    again = services.request_copy(member, requested_by=member)
    assert again.pk == first.pk and DataExport.objects.count() == 1


def test_the_page_shows_how_far_the_copy_has_got(client, member):
    export = DataExport.objects.create(person=member, requested_by=member, parts_done=10, parts_total=40)
    client.force_login(member)
    page = client.get(reverse("privacy:copy", args=[export.pk])).content.decode()
    assert '<progress id="copy-made" max="40" value="10">25%</progress>' in page
    assert 'hx-trigger="every 3s"' in page  # htmx checks again in place
    assert reverse("privacy:download", args=[export.pk]) not in page
    # htmx asks for the fragment only; "Stop checking automatically" turns the checking off.
    fragment = client.get(reverse("privacy:copy", args=[export.pk]), headers={"HX-Request": "true"})
    assert fragment.content.decode().startswith("<div id=\"copy-progress\"") or "<html" not in fragment.content.decode()
    paused = client.get(reverse("privacy:copy", args=[export.pk]) + "?auto=0").content.decode()
    assert "hx-trigger" not in paused
    # The download of a copy still being made goes back to its page.
    response = client.get(reverse("privacy:download", args=[export.pk]))
    assert response.status_code == 302 and response.url == reverse("privacy:copy", args=[export.pk])


def test_a_copy_that_failed_says_so(client, member, monkeypatch, django_capture_on_commit_callbacks):
    def broken(person, progress):
        raise RuntimeError("disk full")

    monkeypatch.setattr(archive, "build", broken)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:ask_for_copy"))
    export = DataExport.objects.get()
    assert export.status == DataExport.Status.FAILED and export.archive is None
    assert "The copy could not be made" in client.get(reverse("privacy:copy", args=[export.pk])).content.decode()
    assert "could not be made" in mail.outbox[0].subject


def test_a_copy_is_gone_after_seven_days(client, member, django_capture_on_commit_callbacks):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:ask_for_copy"))
    export = DataExport.objects.get()
    DataExport.objects.filter(pk=export.pk).update(finished_at=timezone.now() - datetime.timedelta(days=7, minutes=1))
    response = client.get(reverse("privacy:download", args=[export.pk]))
    assert response.status_code == 410
    assert "no longer available" in response.content.decode()
    assert AuditAction.DATA_COPY_DOWNLOADED not in AuditEntry.objects.values_list("action", flat=True)
    # The next request clears it.
    assert services.clear_expired() == 1
    assert client.get(reverse("privacy:download", args=[export.pk])).status_code == 404


def test_only_whoever_asked_can_see_or_download_a_copy(request, subtests, member, outsider, other_member, coordinator,
                                                        other_coordinator, site_admin,
                                                        django_capture_on_commit_callbacks):
    # Every persona is made before the first savepoint, as two URLs are tried in one test.
    with django_capture_on_commit_callbacks(execute=True):
        export = services.request_copy(member, requested_by=member)
    for name in ("privacy:copy", "privacy:download"):
        url = reverse(name, args=[export.pk])
        # Not even the member's coordinator or a site admin: the copy is the member's own.
        expected = [LOGIN, 404, 200, 404, 404, 404, 404]
        for _persona, status, isolated in each_persona(request, subtests, expected):
            with isolated as client:
                assert_status(client.get(url), status)


def test_the_records_of_processing_are_for_site_admins(request, subtests, db):
    url = reverse("privacy:records")
    for persona, status, isolated in each_persona(request, subtests, [LOGIN, 403, 403, 403, 403, 403, 200]):
        with isolated as client:
            response = client.get(url)
            assert_status(response, status)
            if persona == "site_admin":
                page = response.content.decode()
                for declared in __import__("coproduce.privacy.registry", fromlist=["x"]).declarations():
                    assert declared.label in page


@pytest.fixture
def partner_staff(riverside):
    from coproduce.partners.models import Organisation, Staff

    user = testing.make_person("pam@example.org", "Pam Partner")
    testing.join(user, riverside)
    organisation = Organisation.objects.create(community=riverside, name="Riverside Surgery", type="gp")
    Staff.objects.create(organisation=organisation, user=user, started_on=datetime.date(2024, 1, 1))
    return user


class TestForAnAssistedMember:
    def _url(self, membership):
        return reverse("privacy:copy_for_member", args=[membership.community.slug, membership.pk])

    def test_a_coordinator_asks_with_a_reason_and_downloads(self, client, coordinator, assisted_member, riverside,
                                                            django_capture_on_commit_callbacks):
        membership = Membership.objects.get(user=assisted_member)
        client.force_login(coordinator)
        # The profile offers it.
        profile = client.get(reverse("members:profile", args=["riverside", membership.pk])).content.decode()
        assert self._url(membership) in profile
        # No reason: a clear error, nothing made.
        response = client.post(self._url(membership), {"reason": "  "})
        assert response.status_code == 400 and "This field is required." in response.content.decode()
        assert not DataExport.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(self._url(membership), {"reason": "Edna asked at the Tuesday drop-in"})
        export = DataExport.objects.get()
        assert response.url == reverse("privacy:copy", args=[export.pk])
        assert (export.person, export.requested_by, export.community) == (assisted_member, coordinator, riverside)
        entry = AuditEntry.objects.get(action=AuditAction.DATA_COPY_REQUESTED_FOR)
        assert (entry.actor, entry.on_behalf_of, entry.community) == (coordinator, assisted_member, riverside)
        assert entry.detail["reason"] == "Edna asked at the Tuesday drop-in"
        # Edna has no e-mail: the link goes to the coordinator who asked.
        [message] = mail.outbox
        assert message.to == [coordinator.email] and "Edna Elder" in message.body
        files = _zip(client.get(reverse("privacy:download", args=[export.pk])))
        data = json.loads(files.read("data.json"))
        assert data["person"] == assisted_member.pk
        downloaded = AuditEntry.objects.get(action=AuditAction.DATA_COPY_DOWNLOADED)
        assert (downloaded.actor, downloaded.on_behalf_of) == (coordinator, assisted_member)

    def test_who_may_ask(self, request, subtests, assisted_member, member, riverside, partner_staff):
        assisted = Membership.objects.get(user=assisted_member)
        # The coordinator of another community does not see riverside's members at all (404).
        for _persona, status, isolated in each_persona(request, subtests, [LOGIN, 403, 403, 403, 200, 403, 200]):
            with isolated as client:
                assert_status(client.get(self._url(assisted)), status)
        # Partner staff are not coordinators.
        client = testing.Client()
        client.force_login(partner_staff)
        assert client.get(self._url(assisted)).status_code == 403
        # Only for assisted members: anyone else asks for their own.
        coordinator_client = testing.Client()
        coordinator_client.force_login(request.getfixturevalue("coordinator"))
        alice = Membership.objects.get(user=member)
        assert coordinator_client.get(self._url(alice)).status_code == 404
        assert coordinator_client.post(self._url(alice), {"reason": "curious"}).status_code == 404
        assert not DataExport.objects.exists()

    def test_a_coordinator_who_stops_coordinating_loses_the_copy(self, client, coordinator, assisted_member,
                                                                 django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            export = services.request_copy(assisted_member, requested_by=coordinator,
                                           community=Membership.objects.get(user=assisted_member).community,
                                           reason="asked in person")
        client.force_login(coordinator)
        assert client.get(reverse("privacy:download", args=[export.pk])).status_code == 200
        Membership.objects.filter(user=coordinator).update(role=Role.MEMBER)
        assert client.get(reverse("privacy:download", args=[export.pk])).status_code == 403
