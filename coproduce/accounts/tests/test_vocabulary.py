"""One vocabulary on every page (issue 13): "Log in" and "e-mail", on allauth's pages as on ours
(coproduce/locale/en_GB holds our words for allauth's strings; `make install` compiles it)."""

import re

import pytest

PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_say_log_in_and_e_mail(client, url, riverside):
    html = client.get(url).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)).split())
    assert not re.search(r"\b[Ss]ign(ed)?[ -]?[Ii]n\b|\b[Ss]ign[ -]?[Oo]ut\b", text), text
    assert not re.search(r"\b[Ee]mails?\b", text), text
    if url != "/":
        assert "E-mail" in text or "e-mail" in text
