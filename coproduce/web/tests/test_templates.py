"""Static checks on our templates that a page render would not reveal to a sighted tester."""

import re
from pathlib import Path

import coproduce

TITLE_BLOCK = re.compile(r"\{% block title %\}(.*?)\{% endblock", re.S)


def test_page_titles_hold_text_only():
    """A <title> full of markup (a section pasted into the wrong block) reads badly aloud."""
    root = Path(coproduce.__file__).parent
    bad = []
    for template in root.rglob("*.html"):
        match = TITLE_BLOCK.search(template.read_text())
        if match and ("<" in match.group(1) or "\n" in match.group(1)):
            bad.append(str(template.relative_to(root)))
    assert not bad, f"title blocks with markup: {bad}"
