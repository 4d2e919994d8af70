"""Importing area indicators from CSV: every row checked, all or nothing.

Columns: area_code, indicator, value, and optionally year and source. Row numbers in
errors count the header as row 1, as a spreadsheet shows them.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.communities.models import Community
from coproduce.insights.models import AreaIndicator

REQUIRED_COLUMNS = ("area_code", "indicator", "value")
OPTIONAL_COLUMNS = ("year", "source")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowError:
    row: int  # 1 is the header
    message: str

    def __str__(self):
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


class IndicatorImportError(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass(frozen=True)
class ParsedRow:
    area_id: int
    indicator: str
    value: Decimal
    year: int | None
    source: str


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as error:
        raise IndicatorImportError([RowError(1, _("The file is not UTF-8 text."))]) from error


def parse_indicator_csv(community: Community, data: bytes | str) -> list[ParsedRow]:
    """Check every row; raise IndicatorImportError listing all problems, or return the rows."""
    reader = csv.DictReader(io.StringIO(_decode(data)))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise IndicatorImportError([RowError(1, _("Missing column(s): %(columns)s.")
                                             % {"columns": ", ".join(missing)})])
    reader.fieldnames = header
    areas = {area.code.upper(): area.pk for area in community.areas.all()}
    existing = set(AreaIndicator.objects.filter(community=community).values_list("area_id", "indicator"))
    seen: dict[tuple[int, str], int] = {}
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(RowError(number, _("Too many rows; the limit is %(max)s.") % {"max": MAX_ROWS}))
            break
        if None in raw:  # more cells than columns
            errors.append(RowError(number, _("This row has more cells than the header.")))
            continue
        cells = {key: (value or "").strip() for key, value in raw.items()}
        if not any(cells.values()):
            continue  # a blank line
        row_errors = []
        code, indicator = cells.get("area_code", ""), cells.get("indicator", "")
        area_id = areas.get(code.upper())
        if not code:
            row_errors.append(_("the area code is empty"))
        elif area_id is None:
            row_errors.append(_("unknown area code “%(code)s”") % {"code": code})
        if not indicator:
            row_errors.append(_("the indicator name is empty"))
        elif len(indicator) > 120:
            row_errors.append(_("the indicator name is longer than 120 characters"))
        try:
            value = Decimal(cells.get("value", "").replace(",", ""))
            if not value.is_finite():
                raise InvalidOperation
            if abs(value) >= Decimal("1e10"):
                row_errors.append(_("the value %(value)s is too large") % {"value": cells["value"]})
            value = value.quantize(Decimal("0.0001"))  # the column keeps four decimal places
        except InvalidOperation:
            value = None
            row_errors.append(_("the value “%(value)s” is not a number") % {"value": cells.get("value", "")})
        year = None
        if cells.get("year"):
            if cells["year"].isdigit() and 1900 <= int(cells["year"]) <= 2100:
                year = int(cells["year"])
            else:
                row_errors.append(_("the year “%(year)s” is not a year") % {"year": cells["year"]})
        source = cells.get("source", "")
        if len(source) > 300:
            row_errors.append(_("the source is longer than 300 characters"))
        if area_id is not None and indicator:
            key = (area_id, indicator)
            if key in seen:
                row_errors.append(_("duplicate of row %(row)s (same area and indicator)") % {"row": seen[key]})
            elif key in existing:
                row_errors.append(_("“%(indicator)s” for %(code)s has already been imported")
                                  % {"indicator": indicator, "code": code})
            else:
                seen[key] = number
        if row_errors:
            errors.append(RowError(number, "; ".join(row_errors) + "."))
        else:
            rows.append(ParsedRow(area_id, indicator, value, year, source))
    if not rows and not errors:
        errors.append(RowError(1, _("The file has no rows to import.")))
    if errors:
        raise IndicatorImportError(errors)
    return rows


def import_indicators(community: Community, data: bytes | str, *, actor=None) -> int:
    """Validate and import a CSV of indicators; nothing is written unless every row is good."""
    rows = parse_indicator_csv(community, data)
    try:
        with transaction.atomic():
            AreaIndicator.objects.bulk_create([
                AreaIndicator(community=community, area_id=row.area_id, indicator=row.indicator,
                              value=row.value, year=row.year, source=row.source, imported_by=actor)
                for row in rows
            ])
            record_audit(actor=actor, action=AuditAction.INDICATORS_IMPORTED, community=community,
                         subject=_("%(count)s area indicator(s)") % {"count": len(rows)}, rows=len(rows))
    except IntegrityError as error:  # the same figures were imported a moment ago
        raise IndicatorImportError([RowError(1, _("Some of these figures were imported meanwhile; "
                                                  "nothing was imported. Please try again."))]) from error
    return len(rows)


@dataclass(frozen=True)
class IndicatorComparison:
    """An outside indicator set beside a core-economy figure, area by area (for the scatter page)."""

    indicator: str
    points: list[tuple[str, float, float]]  # (area code, core-economy figure, indicator value)
    r: float | None
    n: int
    trend: tuple[float, float] | None  # (slope, intercept) of indicator on the core-economy figure


def compare_indicator(community: Community, indicator: str, figure_by_area: dict[int, float]) -> IndicatorComparison:
    """Pair each area's core-economy figure (e.g. hours per 1,000 residents) with the indicator.

    Areas missing either number are left out; n says how many pairs the correlation rests on.
    """
    from coproduce.lib.stats import least_squares, pearson

    rows = (AreaIndicator.objects.filter(community=community, indicator=indicator, area_id__in=figure_by_area)
            .select_related("area").order_by("area__code"))
    points = [(row.area.code, float(figure_by_area[row.area_id]), float(row.value)) for row in rows]
    xs, ys = [p[1] for p in points], [p[2] for p in points]
    correlation = pearson(xs, ys)
    return IndicatorComparison(indicator, points, correlation.r, correlation.n, least_squares(xs, ys))
