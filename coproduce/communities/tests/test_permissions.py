"""Who may open and post to every communities URL: one row per URL, one column per persona.

Placeholders: {category} is a riverside category, {retired} a retired riverside category,
{hilltop_category} one of the other community's.
"""

import pytest

from coproduce.communities.forms import CommunitySettingsForm
from coproduce.communities.models import Area, Category, Community
from coproduce.communities.services import SETTINGS_FIELDS, set_category_retired
from coproduce.testing import DONE, LOGIN, assert_status, each_persona, matrix_params


@pytest.fixture
def ids(riverside, hilltop, member, coordinator, other_member, other_coordinator, site_admin, outsider):
    retired = Category.objects.get(community=riverside, name="Pets")
    set_category_retired(retired, actor=coordinator, retired=True)
    return {
        "category": Category.objects.get(community=riverside, name="Gardening").pk,
        "retired": retired.pk,
        "hilltop_category": Category.objects.get(community=hilltop, name="Gardening").pk,
    }


# A table reads better aligned.
# fmt: off
GET_MATRIX = [
    #                                                              anon  outsd member o_mem coord o_crd admin
    ("/",                                                         (200,  302, 302, 302, 302, 302, 302)),  # → /home/
    ("/home/",                                                    (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("/time-banks/",                                              (200,  200, 200, 200, 200, 200, 200)),
    ("/c/riverside/",                                             (200,  200, 200, 200, 200, 200, 200)),
    ("/c/nowhere/",                                               (404,  404, 404, 404, 404, 404, 404)),
    ("/c/riverside/coordinate/settings/",                         (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/areas/",                            (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/categories/",                       (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/categories/{category}/rename/",     (LOGIN, 403, 403, 403, 200, 403, 200)),
    ("/c/riverside/coordinate/categories/{hilltop_category}/rename/",
                                                                  (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/coordinate/categories/{category}/retire/",     (LOGIN, 405, 405, 405, 405, 405, 405)),
    ("/c/riverside/coordinate/categories/{retired}/restore/",     (LOGIN, 405, 405, 405, 405, 405, 405)),
]
# fmt: on


@pytest.mark.parametrize(("url", "expected_by_persona"), matrix_params(GET_MATRIX))
def test_get(url, expected_by_persona, ids, request, subtests):
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            assert_status(client.get(url.format(**ids)), expected)


def riverside_described_anew():
    return Community.objects.filter(slug="riverside", description="Neighbours helping neighbours").count()


def riverside_areas():
    return Area.objects.filter(community__slug="riverside").count()


def riverside_categories():
    return Category.objects.filter(community__slug="riverside").count()


def renamed_categories():
    return Category.objects.filter(name="Gardens and allotments").count()


def retired_categories():
    return Category.objects.filter(retired=True).count()


def settings_form(**changes):
    """The settings as the page shows them (amounts of time in words), with ``changes``."""
    form = CommunitySettingsForm(instance=Community.objects.get(slug="riverside"))
    data = {field: form.fields[field].prepare_value(form[field].value()) for field in SETTINGS_FIELDS}
    return {**data, **changes}


SETTINGS = {"description": "Neighbours helping neighbours"}
AREA = {"code": "E05000003", "name": "Riverside East"}
CATEGORY = {"name": "Bee keeping", "activity": "general_volunteering", "parent": ""}
RENAME = {"name": "Gardens and allotments"}

# A table reads better aligned.
# fmt: off
POST_MATRIX = [
    #                                                  data     counted                anon  outsd member o_mem coord o_crd admin
    ("/c/riverside/coordinate/settings/", SETTINGS, riverside_described_anew, (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/coordinate/areas/", AREA, riverside_areas,                 (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/coordinate/categories/", CATEGORY, riverside_categories,   (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/coordinate/categories/{category}/rename/", RENAME, renamed_categories,
                                                                              (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/coordinate/categories/{hilltop_category}/rename/", RENAME, renamed_categories,
                                                                              (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/coordinate/categories/{category}/retire/", {}, retired_categories,
                                                                              (LOGIN, 403, 403, 403, DONE, 403, DONE)),
    ("/c/riverside/coordinate/categories/{hilltop_category}/retire/", {}, retired_categories,
                                                                              (LOGIN, 403, 403, 403, 404, 403, 404)),
    ("/c/riverside/coordinate/categories/{retired}/restore/", {}, retired_categories,
                                                                              (LOGIN, 403, 403, 403, DONE, 403, DONE)),
]
# fmt: on


@pytest.mark.parametrize(("url", "data", "counted", "expected_by_persona"), matrix_params(POST_MATRIX))
def test_post(url, data, counted, expected_by_persona, ids, request, subtests):
    if url.endswith("/settings/"):
        data = settings_form(**data)
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            before = counted()
            response = client.post(url.format(**ids), data)
            if expected == DONE:
                assert response.status_code == 302, response.status_code
                assert counted() != before
            else:
                assert_status(response, expected)
                assert counted() == before
