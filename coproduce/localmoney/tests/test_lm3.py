"""LM3: a worked example done by hand, clear errors that save nothing, who may see an
organisation's money trail, and the community's figure withheld below k organisations."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from coproduce.localmoney import figures, services
from coproduce.localmoney.models import Spend, Survey
from coproduce.localmoney.services import Line
from coproduce.partners import services as partners
from coproduce.partners.tests.fixtures import other_staff, school, staff, surgery  # noqa: F401 (fixtures)

JAN, DEC = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


@pytest.fixture
def cafe(riverside, coordinator):
    return partners.save_organisation(community=riverside, actor=coordinator, name="Corner Café", type="cafe")


def cafe_year(cafe, actor):
    """The worked example. Income £10,000. Spent: £2,000 with a local baker, who re-spends 50% in
    the area; £3,000 wages to staff living here, who re-spend 80%; £1,500 with a national
    wholesaler; £500 to a local cleaner not yet asked.
    By hand: R1 = 10,000; R2 = 2,000 + 3,000 + 500 = 5,500; R3 = 1,000 + 2,400 + 0 = 3,400;
    LM3 = (10,000 + 5,500 + 3,400) / 10,000 = 1.89. Leaks: the wholesaler's £1,500."""
    return services.save_survey(cafe, actor=actor, starts_on=JAN, ends_on=DEC, income_pence=1_000_000, lines=[
        Line("Baker's Dozen (bread)", 200_000, True, respent_locally_percent=50),
        Line("Our staff", 300_000, True, kind="staff", respent_locally_percent=80),
        Line("National Foods Ltd", 150_000, False),
        Line("Sparkle cleaning", 50_000, True),
    ])


def test_the_worked_example(cafe, coordinator):
    trail = figures.of_survey(cafe_year(cafe, coordinator))
    assert (trail.r1, trail.r2, trail.r3) == (1_000_000, 550_000, 340_000)
    assert trail.lm3 == pytest.approx(1.89)
    assert trail.leaks == [("National Foods Ltd", 150_000)] and trail.unsurveyed == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": JAN}, "end after it starts"),
        ({"ends_on": datetime.date(2029, 1, 1)}, "at most two years"),
        ({"income_pence": 0}, "more than £0"),
        ({"lines": [Line("", 100, True)]}, re.escape("Line 1 (?): say who")),
        ({"lines": [Line("A", 100, True), Line("B", -5, True)]}, re.escape("Line 2 (B): an amount cannot be negative")),
        ({"lines": [Line("A", 100, False, respent_locally_percent=20)]}, "only local spending"),
        ({"lines": [Line("A", 100, True, respent_locally_percent=120)]}, "from 0 to 100"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(cafe, coordinator, change, message):
    arguments = {"starts_on": JAN, "ends_on": DEC, "income_pence": 100, "lines": [], **change}
    with pytest.raises(ValidationError, match=message):
        services.save_survey(cafe, actor=coordinator, **arguments)
    assert not Survey.objects.exists() and not Spend.objects.exists()


def test_one_survey_a_period_and_editing_replaces_the_lines(cafe, coordinator):
    survey = cafe_year(cafe, coordinator)
    with pytest.raises(ValidationError, match="already a survey for this period"):
        services.save_survey(cafe, actor=coordinator, starts_on=JAN, ends_on=DEC, income_pence=5, lines=[])
    services.save_survey(cafe, actor=coordinator, survey=survey, starts_on=JAN, ends_on=DEC, income_pence=100,
                         lines=[Line("Only", 50, True, respent_locally_percent=10)])
    assert figures.of_survey(Survey.objects.get()).lm3 == pytest.approx(1.55)  # (100 + 50 + 5) / 100


def test_only_the_organisations_staff_and_coordinators(cafe, staff, member):  # noqa: F811
    for outsider in (staff, member):  # staff of the surgery, and a member
        with pytest.raises(ValidationError, match="own staff and coordinators"):
            services.save_survey(cafe, actor=outsider, starts_on=JAN, ends_on=DEC, income_pence=1, lines=[])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("member", 403), ("staff", 403), ("coordinator", 200), ("other_member", 403)],
)
def test_who_opens_the_pages(client, request, cafe, coordinator, persona, status):
    survey = cafe_year(cafe, coordinator)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for url in (f"/c/riverside/partners/{cafe.pk}/lm3/", f"/c/riverside/partners/{cafe.pk}/lm3/{survey.pk}/",
                f"/c/riverside/partners/{cafe.pk}/lm3/new/", "/c/riverside/local-economy/"):
        assert client.get(url).status_code == status, url


def test_the_venues_staff_fill_it_in_on_the_page(client, riverside, coordinator, cafe):
    from coproduce.partners.tests.fixtures import _staff

    rosa = _staff("rosa@example.org", "Rosa Lima", riverside, coordinator, cafe)
    client.force_login(rosa)
    url = f"/c/riverside/partners/{cafe.pk}/lm3/new/"
    form = {"starts_on": "2026-01-01", "ends_on": "2026-12-31", "income": "10000.00", "notes": "",
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-name": "Baker's Dozen", "lines-0-kind": "supplier", "lines-0-amount": "2000",
            "lines-0-local": "on", "lines-0-respent": "50",
            "lines-1-name": "National Foods", "lines-1-kind": "supplier", "lines-1-amount": "1500.50"}
    more = client.post(url, {**form, "more": "1"})
    assert more.status_code == 200 and 'name="lines-TOTAL_FORMS" value="7"' in more.content.decode()
    assert not Survey.objects.exists()
    saved = client.post(url, form)
    survey = Survey.objects.get()
    assert saved["Location"] == f"/c/riverside/partners/{cafe.pk}/lm3/{survey.pk}/"
    page = client.get(saved["Location"]).content.decode()
    # (10,000 + 2,000 + 1,000) / 10,000
    assert "LM3: 1.30" in page and "£1,500.50" in page and "no: a leak" in page and "The Money Trail" in page
    bad = client.post(url, {**form, "ends_on": "2025-01-01"})
    assert bad.status_code == 400 and "The period must end after it starts" in bad.content.decode()


def test_the_community_figure_is_withheld_below_k_organisations(client, riverside, coordinator, cafe):
    riverside.small_count_k = 3
    riverside.save(update_fields=["small_count_k"])
    cafe_year(cafe, coordinator)
    client.force_login(coordinator)
    page = client.get("/c/riverside/local-economy/").content.decode()
    assert 'id="withheld"' in page and "LM3:" not in page
    assert figures.across_organisations(riverside).trail is None
    incomes = []
    for i, income in enumerate((200_000, 300_000)):
        shop = partners.save_organisation(community=riverside, actor=coordinator, name=f"Shop {i}", type="shop")
        services.save_survey(shop, actor=coordinator, starts_on=JAN, ends_on=DEC, income_pence=income,
                             lines=[Line("Local supplier", income // 2, True, respent_locally_percent=40)])
        incomes.append(income)
    # An older survey of the café is not the latest, so it does not count.
    services.save_survey(cafe, actor=coordinator, starts_on=datetime.date(2025, 1, 1),
                         ends_on=datetime.date(2025, 12, 31), income_pence=1, lines=[])
    result = figures.across_organisations(riverside)
    # Independently: the café's year (1,000,000 / 550,000 / 340,000) and the two shops.
    r1 = 1_000_000 + sum(incomes)
    r2 = 550_000 + sum(i // 2 for i in incomes)
    r3 = 340_000 + sum(i // 2 * 40 // 100 for i in incomes)
    assert result.organisations == 3 and result.trail.lm3 == pytest.approx((r1 + r2 + r3) / r1)
    page = client.get("/c/riverside/local-economy/").content.decode()
    assert f"LM3: {(r1 + r2 + r3) / r1:.2f}" in page
