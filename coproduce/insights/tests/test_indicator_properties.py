"""Property: an indicator import is all or nothing, and every bad row is reported."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduce.communities.models import Community
from coproduce.insights.indicators import IndicatorImportError, import_indicators
from coproduce.insights.models import AreaIndicator
from coproduce.testing import make_community

codes = st.sampled_from(["E05000001", "E05000002", "E05000009", "XX", ""])  # E05000009 is another community's
names = st.sampled_from(["Crime", "IMD decile", ""])
values = st.one_of(st.integers(-1000, 1000).map(str), st.sampled_from(["1.5", "abc", "", "NaN", "1e3"]))
rows = st.lists(st.tuples(codes, names, values), min_size=1, max_size=8)


def expected_errors(batch):
    """Which rows (numbered as in the file) should be refused, worked out independently."""
    bad, seen = set(), {}
    for number, (code, name, value) in enumerate(batch, start=2):
        if not code and not name and not value:
            continue  # a blank line is skipped
        number_ok = value not in ("", "abc", "NaN")
        known = code in ("E05000001", "E05000002")
        if not known or not name or not number_ok:
            bad.add(number)
        if known and name:
            if (code, name) in seen:
                bad.add(number)
            else:
                seen[(code, name)] = number
    return bad


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=rows)
def test_all_or_nothing(batch):
    # One community for every example (the test's transaction is rolled back at the end).
    community = Community.objects.filter(slug="prop").first() or make_community("prop", "Property Bank")
    AreaIndicator.objects.filter(community=community).delete()
    text = "area_code,indicator,value\n" + "".join(f"{c},{n},{v}\n" for c, n, v in batch)
    bad = expected_errors(batch)
    try:
        count = import_indicators(community, text)
    except IndicatorImportError as error:
        reported = {e.row for e in error.errors}
        assert AreaIndicator.objects.filter(community=community).count() == 0
        assert reported == (bad or {1})  # no good rows at all → one file-level error
    else:
        assert not bad
        assert count == AreaIndicator.objects.filter(community=community).count() > 0
