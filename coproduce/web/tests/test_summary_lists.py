"""Detail pages show their facts as GOV.UK summary lists and their statuses as tags: a screen
reader hears each fact with its name, and a status stands out the same way on every page."""

import re

from django.urls import reverse
from django.utils import timezone

from coproduce.communities.models import Category
from coproduce.market.services import create_post
from coproduce.members.models import Application
from coproduce.partners import services as partners
from coproduce.partners.tests.fixtures import alice  # noqa: F401 (a pytest fixture)
from coproduce.referrals import services as referrals

RAW_LISTS = ('<dl class="details">', '<dl class="facts">', "<dl>")


def _summary(html: str) -> dict[str, str]:
    """The summary list's rows as {key: value text}."""
    assert 'class="govuk-summary-list"' in html
    assert not any(raw in html for raw in RAW_LISTS)
    rows = re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt><dd class="govuk-summary-list__value"[^>]*>'
                      r"(.*?)</dd>", html, re.S)
    return {key.strip(): re.sub(r"<[^>]+>", "", value).strip() for key, value in rows}


def _tag(html: str, pattern: str) -> bool:
    return re.search(r'<strong class="govuk-tag[^"]*"[^>]*>\s*' + pattern + r"\s*</strong>", html) is not None


def test_partner_and_opportunity_pages(client, riverside, surgery, staff):
    surgery.contact_email = "desk@surgery.example"
    surgery.save()
    opportunity = partners.post_opportunity(surgery, actor=staff, title="Garden day",
                                            starts_on=timezone.localdate(), expected_minutes=120, place="Yard")
    client.force_login(staff)
    detail = _summary(client.get(reverse("partners:detail", args=["riverside", surgery.pk])).content.decode())
    assert detail["E-mail"] == "desk@surgery.example" and detail["Balance"].startswith("0 hours")
    html = client.get(reverse("partners:opportunity", args=["riverside", opportunity.pk])).content.decode()
    facts = _summary(html)
    assert facts["Expected time"] == "2 hours each" and facts["Where"] == "Yard"
    assert _tag(html, "Open")
    partners.cancel_opportunity(opportunity, actor=staff)
    html = client.get(reverse("partners:opportunity", args=["riverside", opportunity.pk])).content.decode()
    assert _tag(html, "Cancelled")


def test_market_post_page(client, riverside, member, alice):  # noqa: F811
    post = create_post(author=alice, actor=member, kind="offer", title="Lifts to the shops",
                       category=Category.objects.filter(community=riverside).first(), duration_minutes=90)
    client.force_login(member)
    html = client.get(reverse("market:detail", args=["riverside", post.pk])).content.decode()
    facts = _summary(html)
    assert facts["About how long"] == "1 hour 30 minutes" and facts["Status"] == "open"
    assert _tag(html, "open")


def test_referral_page(client, riverside, surgery, staff, coordinator):
    referral = referrals.make_referral(surgery, actor=staff, reason="isolation", consent=True, name="Rita Ray")
    client.force_login(coordinator)
    html = client.get(reverse("referrals:detail", args=["riverside", referral.pk])).content.decode()
    assert _summary(html)["Person"] == "Rita Ray"
    assert _tag(html, "Received")


def test_application_page(client, riverside, coordinator, applicant):
    application = Application.objects.get(user=applicant)
    client.force_login(coordinator)
    html = client.get(reverse("members:application", args=["riverside", application.pk])).content.decode()
    assert _summary(html)["Could offer"] == "Gardening and a chat"
    assert _tag(html, "Waiting for a coordinator")
