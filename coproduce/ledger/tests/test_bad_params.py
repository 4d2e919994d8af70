"""Odd query strings get a page or a 404, never a server error."""

from django.urls import reverse


def test_a_non_numeric_post_link_is_ignored(as_persona, riverside, member):
    assert as_persona("member").get(reverse("ledger:record", args=["riverside"]) + "?post=abc").status_code == 200


def test_a_non_numeric_timesheet_member_is_not_found(as_persona, riverside, coordinator):
    url = reverse("ledger:timesheet", args=["riverside"]) + "?member=abc"
    assert as_persona("coordinator").get(url).status_code == 404
