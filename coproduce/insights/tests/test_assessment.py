import datetime

import pytest
from django.core.exceptions import ValidationError

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.insights.assessment import CELLS, Cell, principle_means, record_self_assessment
from coproduce.insights.models import CommunityValuation, LadderRung, RateSet, SelfAssessment
from coproduce.insights.permissions import may_assess
from coproduce.partners.models import Organisation
from coproduce.testing import LOGIN, assert_status, each_persona, matrix_params


@pytest.fixture
def library(riverside):
    return Organisation.objects.create(community=riverside, name="Riverside Library", type="library")


@pytest.fixture
def hall(hilltop):
    return Organisation.objects.create(community=hilltop, name="Hilltop Hall")


def all_cells(score=3, **overrides):
    cells = {cell: Cell(score, "") for cell in CELLS}
    cells.update(overrides)
    return cells


def test_record_and_means(library, coordinator):
    cells = all_cells(3)
    # Assets: 1, 2, 5 → mean 8/3 = 2.67; everything else 3.
    cells[("assets", "individual")] = Cell(1, "We still mostly ask about needs.")
    cells[("assets", "service")] = Cell(2)
    cells[("assets", "organisation")] = Cell(5)
    assessment = record_self_assessment(library, actor=coordinator, cells=cells,
                                        ladder=[("Homework club", LadderRung.CO_DESIGN)])
    assert assessment.scores.count() == 18
    assert principle_means(assessment) == [2.67, 3.0, 3.0, 3.0, 3.0, 3.0]
    assert assessment.ladder.get().rung == LadderRung.CO_DESIGN
    assert AuditEntry.objects.filter(action=AuditAction.SELF_ASSESSMENT_RECORDED, community=library.community).exists()


@pytest.mark.parametrize("cells", [
    all_cells(0), all_cells(6), {("assets", "individual"): Cell(3)},
    all_cells(3) | {("assets", "service"): Cell(3, "x" * 501)},
])
def test_bad_scores_write_nothing(library, coordinator, cells):
    with pytest.raises(ValidationError):
        record_self_assessment(library, actor=coordinator, cells=cells)
    assert SelfAssessment.objects.count() == 0


def test_future_date_and_bad_ladder(library, coordinator):
    with pytest.raises(ValidationError):
        record_self_assessment(library, actor=coordinator, cells=all_cells(),
                               assessed_on=datetime.date.today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        record_self_assessment(library, actor=coordinator, cells=all_cells(), ladder=[("Club", "top")])
    assert SelfAssessment.objects.count() == 0


def test_may_assess(library, member, coordinator, other_coordinator, site_admin):
    assert may_assess(coordinator, library) and may_assess(site_admin, library)
    assert not may_assess(member, library) and not may_assess(other_coordinator, library)


def form_data(score="4"):
    data = {"assessed_on": datetime.date.today().isoformat(),
            "ladder_activity_1": "Homework club", "ladder_rung_1": "co_production"}
    for principle, level in CELLS:
        data[f"score_{principle}_{level}"] = score
        data[f"evidence_{principle}_{level}"] = f"evidence for {principle} {level}"
    return data


def test_fill_in_view_history_and_overview(library, coordinator, as_persona, riverside):
    Organisation.objects.create(community=riverside, name="Zeta Housing")
    client = as_persona("coordinator")
    page = client.get(f"/c/riverside/insights/co-production/{library.pk}/new/").content.decode()
    assert "People are assets" in page and "TLAP" in page
    response = client.post(f"/c/riverside/insights/co-production/{library.pk}/new/", form_data())
    assert response.status_code == 302
    assessment = SelfAssessment.objects.get()
    detail = client.get(response.url).content.decode()
    assert "evidence for mutuality service" in detail and "doing with" in detail
    history = client.get(f"/c/riverside/insights/co-production/{library.pk}/").content.decode()
    assert 'role="img"' in history and "4.0" in history
    overview = client.get("/c/riverside/insights/co-production/").content.decode()
    assert "Riverside Library" in overview and "Not assessed yet" in overview
    assert assessment.created_by == coordinator


def test_bad_form_writes_nothing(library, coordinator, as_persona):
    client = as_persona("coordinator")
    data = form_data("6")
    data["ladder_rung_2"] = "co_design"  # a rung without an activity
    response = client.post(f"/c/riverside/insights/co-production/{library.pk}/new/", data)
    assert response.status_code == 200
    assert "field-has-error" in response.content.decode()
    assert SelfAssessment.objects.count() == 0


# fmt: off
GET_MATRIX = [
    #                                                        anon  outsd member o_mem coord o_crd admin
    ("/c/riverside/insights/co-production/",                (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/co-production/{library}/",      (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/co-production/{library}/new/",  (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/co-production/{library}/{assessment}/",
                                                            (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/co-production/{hall}/",         (LOGIN, 404, 404, 404, 404, 404, 404)),
    ("/c/riverside/insights/indicators/",                   (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/insights/valuation-rates/",              (LOGIN, 403, 403, 403, 200, 403, 200)),
]
# fmt: on


@pytest.fixture
def ids(library, hall, riverside, hilltop, member, coordinator, other_member, other_coordinator, site_admin,
        outsider):
    assessment = record_self_assessment(library, actor=coordinator, cells=all_cells())
    return {"library": library.pk, "hall": hall.pk, "assessment": assessment.pk}


@pytest.mark.parametrize(("url", "expected_by_persona"), matrix_params(GET_MATRIX))
def test_get(url, expected_by_persona, ids, request, subtests):
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            assert_status(client.get(url.format(**ids)), expected)


# fmt: off
POST_MATRIX = [
    #                                                        anon  outsd member o_mem coord o_crd admin
    ("/c/riverside/insights/co-production/{library}/new/",  (LOGIN, 403, 403, 403, 302, 403, 302)),
    ("/c/riverside/insights/valuation-rates/",              (LOGIN, 403, 403, 403, 302, 403, 302)),
]
# fmt: on


@pytest.mark.parametrize(("url", "expected_by_persona"), matrix_params(POST_MATRIX))
def test_post(url, expected_by_persona, ids, request, subtests):
    for persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            before = SelfAssessment.objects.count(), CommunityValuation.objects.count()
            data = {"rate_set": RateSet.objects.first().pk} if "valuation" in url else form_data()
            assert_status(client.post(url.format(**ids), data), expected)
            after = SelfAssessment.objects.count(), CommunityValuation.objects.count()
            assert sum(after) - sum(before) == (1 if expected == 302 else 0), persona
