"""The README for people shows every role with a picture the browser tests took (issue 13)."""

import re
from pathlib import Path

from coproduce.web.tests.browser.test_responsive import SCREENSHOTS

ROOT = Path(__file__).resolve().parents[3]


def test_every_screenshot_is_in_the_readme_and_on_disk():
    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(r"\]\(docs/screenshots/([\w.-]+\.png)\)", readme))
    assert shown == set(SCREENSHOTS.values())  # `make screenshots` makes exactly these
    for name in shown:
        picture = ROOT / "docs" / "screenshots" / name
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_the_readme_names_every_demo_login_and_the_two_commands():
    from coproduce.demo.logins import DEMO_LOGINS

    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^make (\w+)", quick_start, re.MULTILINE) == ["demo", "test"]
    for role in DEMO_LOGINS:
        assert role in readme, role
