import csv
import datetime
import io

import pytest

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.members.models import Membership
from coproduce.outcomes.models import LONELINESS_QUESTION, WELLBEING_QUESTIONS, WellbeingResponse
from coproduce.testing import LOGIN, assert_status, each_persona, matrix_params

# fmt: off
GET_MATRIX = [
    #                                                   anon  outsd member o_mem coord o_crd admin
    ("/c/riverside/wellbeing/",                        (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("/c/riverside/wellbeing/paper/",                  (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/wellbeing/",             (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/wellbeing/report.csv",   (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/wellbeing/enter/",       (LOGIN, 403, 403, 403, 200, 403, 200)),
]
# fmt: on


@pytest.fixture
def everyone(riverside, hilltop, member, coordinator, other_member, other_coordinator, site_admin, outsider):
    return None


@pytest.mark.parametrize(("url", "expected_by_persona"), matrix_params(GET_MATRIX))
def test_get(url, expected_by_persona, everyone, request, subtests):
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            assert_status(client.get(url), expected)


def test_member_answers_in_app(riverside, member, as_persona):
    client = as_persona("member")
    page = client.get("/c/riverside/wellbeing/").content.decode()
    assert "Overall, how satisfied are you with your life nowadays?" in page
    assert "How often do you feel lonely?" in page
    assert "time to answer" in page
    response = client.post("/c/riverside/wellbeing/", {"life_satisfaction": "7", "anxiety": "0",
                                                        "loneliness": "never"})
    assert response.status_code == 302
    saved = WellbeingResponse.objects.get()
    assert (saved.life_satisfaction, saved.anxiety, saved.worthwhile, saved.loneliness) == (7, 0, None, "never")
    page = client.get("/c/riverside/wellbeing/").content.decode()
    assert "next time" in page and "Your earlier answers" in page and "<td>Never</td>" in page


def test_out_of_range_answer_is_a_form_error(riverside, member, as_persona):
    client = as_persona("member")
    response = client.post("/c/riverside/wellbeing/", {"life_satisfaction": "11"})
    assert response.status_code == 200
    assert "govuk-form-group--error" in response.content.decode()
    assert WellbeingResponse.objects.count() == 0


def test_coordinator_enters_paper_form(riverside, member, coordinator, hilltop, other_member, as_persona):
    client = as_persona("coordinator")
    alice = Membership.objects.get(user=member, community=riverside)
    page = client.get("/c/riverside/coordinate/wellbeing/enter/").content.decode()
    assert "Alice Ashby" in page and "never" in page  # due since joining
    response = client.post("/c/riverside/coordinate/wellbeing/enter/", {
        "member": alice.pk, "answered_on": datetime.date.today().isoformat(), "happiness": "9"})
    assert response.status_code == 302
    assert WellbeingResponse.objects.get().membership == alice
    assert AuditEntry.objects.filter(action=AuditAction.WELLBEING_RECORDED_FOR, on_behalf_of=member).count() == 1
    # A member of another community can't be chosen.
    olga = Membership.objects.get(user=other_member, community=hilltop)
    response = client.post("/c/riverside/coordinate/wellbeing/enter/", {
        "member": olga.pk, "answered_on": datetime.date.today().isoformat(), "happiness": "9"})
    assert response.status_code == 200
    assert WellbeingResponse.objects.count() == 1
    # Out of range: a form error and nothing written.
    response = client.post("/c/riverside/coordinate/wellbeing/enter/", {
        "member": alice.pk, "answered_on": datetime.date.today().isoformat(), "anxiety": "12"})
    assert response.status_code == 200 and WellbeingResponse.objects.count() == 1


def test_report_and_csv(riverside, member, coordinator, as_persona):
    client = as_persona("coordinator")
    alice = Membership.objects.get(user=member, community=riverside)
    client.post("/c/riverside/coordinate/wellbeing/enter/", {
        "member": alice.pk, "answered_on": datetime.date.today().isoformat(), "happiness": "9"})
    page = client.get("/c/riverside/coordinate/wellbeing/").content.decode()
    assert 'role="img"' in page and "<caption>" in page
    csv = client.get("/c/riverside/coordinate/wellbeing/report.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert '"Overall, how happy did you feel yesterday?",9,1' in csv.content.decode()


def test_report_csv_has_every_table_of_the_page(riverside, member, coordinator, as_persona):
    """The report page shows the change table and one distribution per question; the CSV holds them all."""
    client = as_persona("coordinator")
    alice = Membership.objects.get(user=member, community=riverside)
    client.post("/c/riverside/coordinate/wellbeing/enter/", {
        "member": alice.pk, "answered_on": datetime.date.today().isoformat(), "happiness": "9"})
    rows = list(csv.reader(io.StringIO(client.get("/c/riverside/coordinate/wellbeing/report.csv").content.decode())))
    blank = rows.index([])
    distributions, change = rows[:blank], rows[blank + 1:]
    assert distributions[0] == ["question", "answer", "people (latest answer)"]
    questions = [str(question) for _field, question in WELLBEING_QUESTIONS] + [str(LONELINESS_QUESTION)]
    for question in questions[:4]:
        assert [row[1] for row in distributions if row[0] == question] == [str(n) for n in range(11)]
    assert len([row for row in distributions if row[0] == questions[4]]) == 5  # often/always … never
    happy = "Overall, how happy did you feel yesterday?"
    assert [happy, "9", "1"] in distributions and [happy, "8", "0"] in distributions
    assert change[0] == ["question", "people answering", "mean latest", "people answering twice or more",
                         "mean change (latest - first)", "share improved"]
    assert [row[0] for row in change[1:]] == questions
    assert [happy, "1", "9.000", "0", "", ""] in change


def test_paper_form_has_every_question_and_answer(riverside, member, as_persona):
    page = as_persona("member").get("/c/riverside/wellbeing/paper/").content.decode()
    for text in ("Overall, how satisfied are you with your life nowadays?",
                 "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
                 "Overall, how happy did you feel yesterday?", "Overall, how anxious did you feel yesterday?",
                 "How often do you feel lonely?", "Often/always", "Some of the time", "Occasionally",
                 "Hardly ever", "Never"):
        assert text in page
    assert page.count("<li>10</li>") == 4


def test_report_per_group_by_hand(riverside, hilltop, member, second_member, coordinator, other_coordinator,
                                  as_persona):
    """Alice (in the group) answered life satisfaction 4 then 7; Bob (not in it) answered 9.
    The group's report counts Alice only: one person, change +3, improved; the community's both."""
    from coproduce.groups import services as groups
    from coproduce.outcomes.services import record_wellbeing

    alice = Membership.objects.get(user=member, community=riverside)
    bob = Membership.objects.get(user=second_member, community=riverside)
    group = groups.create_group(community=riverside, actor=coordinator, name="Walk and talk")
    groups.join_group(group, membership=alice)
    record_wellbeing(alice, actor=coordinator, answers={"life_satisfaction": 4}, answered_on=datetime.date.today() - datetime.timedelta(days=20))
    record_wellbeing(alice, actor=coordinator, answers={"life_satisfaction": 7})
    record_wellbeing(bob, actor=coordinator, answers={"life_satisfaction": 9})
    client = as_persona("coordinator")
    page = client.get("/c/riverside/coordinate/wellbeing/", {"group": group.pk})
    assert page.status_code == 200
    life = page.context["items"][0]["report"]
    assert (life.answered, life.mean_latest, life.people_with_change, life.mean_change, life.share_improved) == (
        1, 7.0, 1, 3.0, 1.0)
    assert "Walk and talk" in page.content.decode()
    whole = client.get("/c/riverside/coordinate/wellbeing/").context["items"][0]["report"]
    assert (whole.answered, whole.mean_latest) == (2, 8.0)
    rows = list(csv.reader(io.StringIO(client.get("/c/riverside/coordinate/wellbeing/report.csv",
                                                  {"group": group.pk}).content.decode())))
    assert [str(WELLBEING_QUESTIONS[0][1]), "1", "7.000", "1", "3.000", "1.000"] in rows
    # Another community's group, or nonsense: a clear error and nothing shown.
    from coproduce.groups.models import Group

    theirs = Group.objects.create(community=hilltop, name="Hilltop walkers")
    for bad in (theirs.pk, "walkers"):
        response = client.get("/c/riverside/coordinate/wellbeing/", {"group": bad})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert client.get("/c/riverside/coordinate/wellbeing/report.csv", {"group": bad}).status_code == 400
    assert as_persona("other_coordinator").get("/c/riverside/coordinate/wellbeing/",
                                               {"group": group.pk}).status_code == 403
