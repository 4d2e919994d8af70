"""In a real browser, with axe and the 320 px check on every page: a coordinator imports a page of
another directory's Open Referral UK feed, sees a conflict on a second import, and a malformed file's
problems (nothing imported)."""

from pathlib import Path

import pytest

from coproduce.assets.models import Service
from coproduce.web.tests.browser.conftest import force_login

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[3] / "assets" / "tests" / "fixtures" / "oruk"
URL = "/c/riverside/coordinate/directory/import/"


def test_coordinator_imports_a_file_and_sees_conflicts_and_errors(
    new_browser, riverside, coordinator
):
    b = new_browser()
    force_login(b, coordinator)
    page = b.visit(URL)
    page.get_by_label("Or a file").set_input_files(str(FIXTURES / "feed" / "services_page_2.json"))
    page.get_by_role("button", name="Check and import").click()
    b.check()
    assert "What the import did" in page.content()
    assert Service.objects.count() == 2

    Service.objects.filter(name="Tenants' Association meeting").update(
        name="Tenants' meeting (ours)", edited_locally=True
    )
    page.get_by_label("Or a file").set_input_files(str(FIXTURES / "feed" / "services_page_2.json"))
    page.get_by_role("button", name="Check and import").click()
    b.check()
    assert "Tenants' meeting (ours)" in page.locator("table").nth(1).inner_text()

    page.get_by_label("Or a file").set_input_files(
        str(FIXTURES / "malformed" / "services_page_2_missing_name.json")
    )
    page.get_by_role("button", name="Check and import").click()
    b.check()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert (
        "Nothing was imported" in summary
        and "page 2, service 3" in summary
        and "missing name" in summary
    )
    assert Service.objects.count() == 2
