"""Issue 20 in a browser: a member asks for a copy of their data and downloads it, a coordinator
does it for an assisted member, a site admin reads the records of processing; axe-core on each
page, with and without JavaScript."""

import io
import json
import zipfile

import pytest

from coproduce.members.models import Membership
from coproduce.web.tests.browser.conftest import force_login, overflow_at

pytestmark = pytest.mark.browser


def test_a_member_downloads_a_copy_of_their_data(new_browser, riverside, member):
    b = new_browser()
    force_login(b, member)
    page = b.visit("/me/")
    page.get_by_role("link", name="Your data: what we hold, and a copy to download").click()
    b.check()
    page.get_by_role("button", name="Make a copy of my data").click()
    b.check()  # the copy's page: made at once here (the tests' tasks run immediately)
    page.get_by_role("status").filter(has_text="Download the copy").wait_for()
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download the copy (zip file)").click()
    with open(waiting.value.path(), "rb") as saved:
        files = zipfile.ZipFile(io.BytesIO(saved.read()))
    assert json.loads(files.read("data.json"))["person"] == member.pk
    page = b.visit("/me/data/")  # now listing the copy
    assert not overflow_at(page)  # 320 and 1,280 px


def test_a_coordinator_asks_for_an_assisted_members_copy(new_browser, riverside, coordinator, assisted_member):
    b = new_browser()
    force_login(b, coordinator)
    assisted = Membership.objects.get(user=assisted_member)
    page = b.visit(f"/c/riverside/members/{assisted.pk}/")
    page.get_by_role("link", name="A copy of Edna Elder's data").click()
    b.check()
    page.get_by_role("button", name="Make the copy").click()  # no reason: the error message
    b.check()
    assert "This field is required" in page.content()
    page.get_by_label("Why you are asking for their data").fill("She asked at the Tuesday drop-in")
    page.get_by_role("button", name="Make the copy").click()
    b.check()
    assert "A copy of Edna Elder's data" in page.content()


def test_a_site_admin_reads_the_records_of_processing(new_browser, site_admin):
    b = new_browser()
    force_login(b, site_admin)
    page = b.visit("/site/records-of-processing/")
    assert "conversations.Message" in page.content()
    assert not overflow_at(page)


def test_a_member_asks_to_be_erased_and_cancels(new_browser, riverside, member):
    b = new_browser()
    force_login(b, member)
    page = b.visit("/me/data/")
    page.get_by_role("link", name="Ask to be erased").click()
    b.check()
    page.get_by_role("button", name="Ask to be erased").click()  # the box not ticked: the error
    b.check()
    assert "Tick the box" in page.content()
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Ask to be erased").click()
    b.check()  # back on "Your data", with the warning and the cancel button
    assert not overflow_at(page)
    page.get_by_role("button", name="Cancel my request to be erased").click()
    b.check()
    assert "The request to be erased is cancelled." in page.content()


def test_a_coordinators_erasure_pages(new_browser, riverside, coordinator, assisted_member, member):
    from coproduce.privacy import services

    services.request_erasure(member, requested_by=member)
    b = new_browser()
    force_login(b, coordinator)
    b.visit("/c/riverside/coordinate/erasures/")
    assisted = Membership.objects.get(user=assisted_member)
    page = b.visit(f"/c/riverside/coordinate/members/{assisted.pk}/erase/")
    page.get_by_role("button", name="Ask for them to be erased").click()  # no reason: the error
    b.check()
    page.get_by_label("Why they are to be erased").fill("She asked in writing")
    page.get_by_role("button", name="Ask for them to be erased").click()
    b.check()  # the queue, with both requests
    assert "Edna Elder" in page.content() and "Alice Ashby" in page.content()
    assert not overflow_at(page)
    page = b.visit("/c/riverside/coordinate/lawful-bases/")
    page.get_by_label("Matching offers and requests, and thanking people for their help").select_option(
        "legitimate_interests")
    page.get_by_role("button", name="Save the lawful bases").click()
    b.check()
    assert not overflow_at(page)
