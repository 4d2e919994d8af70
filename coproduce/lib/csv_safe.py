"""The one CSV writer for downloads: no cell can reach a spreadsheet as a formula.

A name such as ``=HYPERLINK("http://evil","x")`` typed into a profile would otherwise run as
a formula when a coordinator opens the download in Excel or LibreOffice (CSV injection). The
OWASP rule: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading single quote, so the spreadsheet shows it as text. The full-width forms of the
four signs are treated alike, as some spreadsheets read them as formulas too.

Figures stay usable. Real numbers (``int``, ``float``, ``Decimal``) are written as they are,
and so is text that is nothing but a number (``"-0.500"``, ``"+3"``, ``"-12%"``, ``"1e3"``): a
spreadsheet reads it as that number, and it has no room for a formula. Anything else is
text, however much it looks like a figure: a negative duration such as ``"-1:30"`` is written
``'-1:30`` (a spreadsheet would otherwise read ``=-1:30``, the rows 1 to 30 negated). That is
why our downloads carry durations as whole minutes or decimal hours, never as ``h:mm``.

Pure Python, no Django: views make the ``HttpResponse`` and hand it to ``writer``.
"""

import csv
import math
import re
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def safe_cell(value):
    """One cell as it may be written: numbers as they are, text that could be a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, int):  # bool too
        return value
    if (isinstance(value, float) and math.isfinite(value)) or (
        isinstance(value, Decimal) and value.is_finite()
    ):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """``csv.writer`` with every cell passed through ``safe_cell``."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **options) -> SafeWriter:
    """Use instead of ``csv.writer`` for anything a person downloads."""
    return SafeWriter(stream, **options)
