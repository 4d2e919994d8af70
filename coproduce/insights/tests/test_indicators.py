from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.insights.indicators import IndicatorImportError, import_indicators
from coproduce.insights.models import AreaIndicator
from coproduce.testing import LOGIN, assert_status, each_persona, matrix_params

GOOD = (
    "area_code,indicator,value,year,source\n"
    "E05000001,Recorded crime per 1000,54.2,2025,police.uk\n"
    "e05000002,Recorded crime per 1000,31,2025,police.uk\n"
    "E05000001,IMD decile,3,,\n"
)


def messages(excinfo):
    return [str(e) for e in excinfo.value.errors]


def test_good_file_imports_every_row(riverside, coordinator):
    assert import_indicators(riverside, GOOD.encode(), actor=coordinator) == 3
    crime = AreaIndicator.objects.get(area__code="E05000002", indicator="Recorded crime per 1000")
    assert crime.value == Decimal("31") and crime.year == 2025 and crime.source == "police.uk"
    assert AreaIndicator.objects.get(indicator="IMD decile").year is None
    assert AuditEntry.objects.filter(action=AuditAction.INDICATORS_IMPORTED, community=riverside).count() == 1


def test_every_bad_row_is_listed_and_nothing_imported(riverside, hilltop):
    bad = (
        "area_code,indicator,value\n"
        "E05000001,Crime,12\n"            # row 2 fine
        "E05000009,Crime,3\n"             # row 3: hilltop's area, unknown here
        "E05000002,Crime,lots\n"          # row 4: not a number
        "E05000001,Crime,13\n"            # row 5: duplicate of row 2
        "E05000002,,4\n"                  # row 6: no indicator name
    )
    with pytest.raises(IndicatorImportError) as excinfo:
        import_indicators(riverside, bad)
    errors = messages(excinfo)
    assert [e.row for e in excinfo.value.errors] == [3, 4, 5, 6]
    assert "unknown area code “E05000009”" in errors[0]
    assert "“lots” is not a number" in errors[1]
    assert "duplicate of row 2" in errors[2]
    assert "indicator name is empty" in errors[3]
    assert AreaIndicator.objects.count() == 0


def test_already_imported_is_an_error(riverside):
    import_indicators(riverside, "area_code,indicator,value\nE05000001,Crime,12\n")
    with pytest.raises(IndicatorImportError) as excinfo:
        import_indicators(riverside, "area_code,indicator,value\nE05000002,Crime,1\nE05000001,Crime,12\n")
    assert [e.row for e in excinfo.value.errors] == [3]
    assert "already been imported" in messages(excinfo)[0]
    assert AreaIndicator.objects.count() == 1


@pytest.mark.parametrize(("text", "fragment"), [
    ("area_code,value\nE05000001,3\n", "Missing column(s): indicator"),
    ("area_code,indicator,value\n", "no rows"),
    ("area_code,indicator,value\nE05000001,Crime,NaN\n", "not a number"),
    ("area_code,indicator,value\nE05000001,Crime,Infinity\n", "not a number"),
    ("area_code,indicator,value,year\nE05000001,Crime,1,last year\n", "not a year"),
    ("area_code,indicator,value\nE05000001,Crime,1,extra\n", "more cells"),
])
def test_malformed_files(riverside, text, fragment):
    with pytest.raises(IndicatorImportError) as excinfo:
        import_indicators(riverside, text)
    assert fragment in messages(excinfo)[0]
    assert AreaIndicator.objects.count() == 0


def test_bytes_with_bom_and_non_utf8(riverside):
    assert import_indicators(riverside, "\ufeffarea_code,indicator,value\nE05000001,Crime,1\n".encode()) == 1
    with pytest.raises(IndicatorImportError):
        import_indicators(riverside, b"area_code,indicator,value\nE05000001,Cr\xefme,1\n")


def test_upload_page_lists_row_errors(riverside, coordinator, as_persona):
    client = as_persona("coordinator")
    bad = SimpleUploadedFile("x.csv", b"area_code,indicator,value\nNOPE,Crime,1\nE05000001,Crime,x\n")
    response = client.post("/c/riverside/insights/indicators/", {"file": bad})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Row 2: unknown area code" in body and "Row 3: the value" in body
    assert AreaIndicator.objects.count() == 0
    good = SimpleUploadedFile("x.csv", GOOD.encode())
    response = client.post("/c/riverside/insights/indicators/", {"file": good})
    assert response.status_code == 302
    assert AreaIndicator.objects.count() == 3
    assert "IMD decile" in client.get("/c/riverside/insights/indicators/").content.decode()


def test_command(riverside, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("area_code,indicator,value\nE05000001,Crime,1\nXX,Crime,2\n")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_indicators", "riverside", str(path))
    assert "Row 3: unknown area code “XX”" in capsys.readouterr().err
    assert excinfo.value.returncode == 1
    assert AreaIndicator.objects.count() == 0
    path.write_text(GOOD)
    call_command("import_indicators", "riverside", str(path))
    assert "Imported 3" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_indicators", "nowhere", str(path))


# fmt: off
POST_MATRIX = [
    #                                      anon  outsd member o_mem coord o_crd admin
    ("/c/riverside/insights/indicators/", (LOGIN, 403, 403, 403, 302, 403, 302)),
]
# fmt: on


@pytest.fixture
def everyone(riverside, hilltop, member, coordinator, other_member, other_coordinator, site_admin, outsider):
    return None


@pytest.mark.parametrize(("url", "expected_by_persona"), matrix_params(POST_MATRIX))
def test_post_matrix(url, expected_by_persona, everyone, request, subtests):
    for _persona, expected, logged_in in each_persona(request, subtests, expected_by_persona):
        with logged_in as client:
            upload = SimpleUploadedFile("x.csv", GOOD.encode())
            assert_status(client.post(url, {"file": upload}), expected)
            assert AreaIndicator.objects.count() == (3 if expected == 302 else 0)


def test_compare_indicator_hand_worked(riverside):
    from coproduce.communities.services import add_area
    from coproduce.insights.indicators import compare_indicator

    for code in ("E05000003", "E05000004", "E05000005"):
        add_area(riverside, actor=None, code=code, name=code)
    areas = {a.code: a.pk for a in riverside.areas.all()}
    import_indicators(riverside, "area_code,indicator,value\n" + "".join(
        f"{code},Crime,{value}\n" for code, value in
        [("E05000001", 2), ("E05000002", 4), ("E05000003", 5), ("E05000004", 4), ("E05000005", 5)]))
    hours = {areas[f"E0500000{i}"]: i for i in range(1, 6)}  # x = 1..5
    result = compare_indicator(riverside, "Crime", hours)
    # The same numbers as the stats test: r = 6/√60, slope 0.6, intercept 2.2.
    assert result.n == 5
    assert result.r == pytest.approx(0.7746, abs=1e-4)
    assert result.trend == pytest.approx((0.6, 2.2))
    assert result.points[0] == ("E05000001", 1.0, 2.0)
    # An area without a core-economy figure is left out.
    del hours[areas["E05000005"]]
    assert compare_indicator(riverside, "Crime", hours).n == 4
