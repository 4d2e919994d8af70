"""An independent auditor of one public release: it reads what the public can read and works
out, by linear programming, how narrowly each hidden count can be pinned down.

It uses none of the code under test: it fetches the public pages (the figures page and the
network page of one quarter and version, through the test client, as anyone would), parses
their HTML tables, every CSV download, the bar charts' SVG and the network picture, and
writes down what a determined reader knows:

- each table's rows add up to its Total row: per month, by type and by category (or by
  activity, in releases made before issue 13) to the same
  total of exchanges (T); by area to the givers' total (G), with T ≤ G; hours add up to the
  same total of hours in every table;
- every exchange (every giving, in the by-area table) lasts 15 minutes or more; one giver's
  line lasts at most 24 hours;
- active members ≤ people in the network; bridging ties ≤ ties; new ties per month add up to
  the ties in the community's first quarter, to at most the ties later;
- ratios beside their counts: mean degree = 2 × ties / people, the share in the largest group
  × people and the reciprocity rate × active members are counts (each to the printed
  precision); the picture's dots and lines count people and ties;
- what the labels say: "fewer than k" is 0 to k - 1, "not shown" is k or more, a shown number
  is exact (hours to ±0.05 h); under the rounding rule a number is within 2 of the truth for a
  total or a single figure, within 4 for a row of a table (rounded up or down to add up), and
  hours likewise in steps of 5 hours;
- counts are non-negative whole numbers (the LP relaxation, then rounded inward).

For each hidden count it minimises and maximises the count (scipy's HiGHS) and reports a
violation where the range is narrower than the rule allows. The default rule: a "fewer than
k" count must still possibly be 0 and possibly k - 1 (the label itself rules out k or more),
unless even hiding every count with a true label would pin it as much (then nothing the
release did narrowed it; worked out with a second LP, every shown count relaxed to "k or
more"). The rounding rule: every count must keep at least two possible values, including 0
or one of 5 or more (so a count is never known to be a small number above 0).
"""

import csv
import io
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np
from scipy.optimize import linprog

MIN_MINUTES, MAX_LINE_MINUTES = 15, 24 * 60
LINKED = ("per-month", "by-type", "by-activity", "by-category")  # add up to the same total of exchanges


class _Page(HTMLParser):
    """Tables (by the id of their section's heading), bar charts, the picture, the quarter list."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: list[list[tuple[str, str]]] = []  # per chart: (kind, text): bar titles and missing labels
        self.dots = self.lines = 0
        self.picture_desc = ""
        self.options: list[str] = []
        self.selected = ""
        self._section = None
        self._row = self._cell = None
        self._in_ties = False
        self._chart = None
        self._text_class = None
        self._bar_title = False
        self._desc = False
        self._in_picture = False
        self._option = None
        self._in_bar = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and (a.get("aria-labelledby") or "").startswith("t-"):
            self._section = a["aria-labelledby"][2:]
            self.tables[self._section] = []
        elif tag == "tr" and self._section:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "svg":
            labelled = a.get("aria-labelledby") or ""
            self._chart = [] if labelled.startswith("public-") else None
            self._in_picture = labelled.startswith("network-title")
        elif tag == "rect" and a.get("class") == "bar":
            self._in_bar = True
        elif tag == "g" and a.get("class") == "ties":
            self._in_ties = True
        elif tag == "g":
            self._in_ties = False
        elif tag == "line" and self._in_ties and self._in_picture:
            self.lines += 1
        elif tag == "circle" and a.get("class") == "dot":
            self.dots += 1
        elif tag == "title" and self._chart is not None and self._in_bar:
            self._bar_title = True
            self._chart.append(("bar", ""))
        elif tag == "text" and self._chart is not None and "missing" in (a.get("class") or ""):
            self._text_class = "missing"
            self._chart.append(("missing", ""))
        elif tag == "desc" and self._in_picture:
            self._desc = True
        elif tag == "option":
            self._option = a.get("value", "")
            self.options.append(self._option)
            if "selected" in a:
                self.selected = self._option

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._section and self._row and not self._row[0].startswith("No figures"):
                self.tables[self._section].append(self._row)
            self._row = None
        elif tag == "section":
            self._section = None
        elif tag == "svg":
            if self._chart is not None:
                self.charts.append(self._chart)
            self._chart = None
            self._in_picture = False
        elif tag == "title":
            self._bar_title = False
        elif tag == "rect":
            self._in_bar = False
        elif tag == "text":
            self._text_class = None
        elif tag == "desc":
            self._desc = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._bar_title or self._text_class:
            kind, text = self._chart[-1]
            self._chart[-1] = (kind, text + data)
        if self._desc:
            self.picture_desc += data


@dataclass
class Published:
    """Everything one release shows, as read from its pages."""

    k: int
    rounded: bool
    first_quarter: bool
    tables: dict[str, list[list[str]]]  # name -> rows (headers left out), from HTML, equal to the CSVs
    charts: list[list[tuple[str, str]]]
    dots: int
    lines: int
    picture_total: int | None


def read_release(client, slug: str, quarter: str, version: int | None = None) -> Published:
    """Fetch a release's two public pages and every CSV, check they agree, and return what they show."""
    query = {"quarter": quarter} | ({"version": str(version)} if version else {})
    pages = {}
    for path in (f"/c/{slug}/figures/", f"/c/{slug}/figures/network/"):
        response = client.get(path, query)
        assert response.status_code == 200, (path, response.status_code)
        page = _Page()
        page.feed(response.content.decode())
        pages[path] = (page, response.content.decode())
        for name, rows in page.tables.items():
            download = client.get(path, query | {"csv": name})
            assert download["Content-Type"].startswith("text/csv"), name
            csv_rows = list(csv.reader(io.StringIO(download.content.decode())))
            assert csv_rows == rows, f"the CSV of {name} differs from its table"
    figures, figures_html = pages[f"/c/{slug}/figures/"]
    network, network_html = pages[f"/c/{slug}/figures/network/"]
    text = figures_html + network_html
    found = re.search(r"counts below (\d+) are shown", text)
    rounded = "rounded to a multiple of 5" in text
    k = int(found.group(1)) if found else 5
    # The quarter list starts at the community's first quarter (when it offers all of them).
    first = figures.options and quarter == figures.options[-1] and len(figures.options) < 8
    total = None
    described = re.search(r"best-connected of ([\d,]+)", network.picture_desc)
    if described:
        total = int(described.group(1).replace(",", ""))
    tables = {name: rows[1:] for name, rows in {**figures.tables, **network.tables}.items()}  # no header row
    return Published(k, rounded, bool(first), tables, figures.charts, network.dots, network.lines, total)


@dataclass
class _Model:
    names: list[str] = field(default_factory=list)
    bounds: list[list[float]] = field(default_factory=list)
    rows: list[tuple[dict[str, float], float, float]] = field(default_factory=list)  # low <= Σ c x <= high

    def var(self, name, low=0.0, high=math.inf):
        if name in self.names:
            i = self.names.index(name)
            self.bounds[i] = [max(self.bounds[i][0], low), min(self.bounds[i][1], high)]
        else:
            self.names.append(name)
            self.bounds.append([low, high])
        return name

    def add(self, terms: dict[str, float], low=-math.inf, high=math.inf):
        self.rows.append((terms, low, high))

    def solve(self, name: str, sense: int) -> float | None:
        """min (sense 1) or max (sense -1) of a variable; None when unbounded."""
        index = {n: i for i, n in enumerate(self.names)}
        c = np.zeros(len(self.names))
        c[index[name]] = sense
        a_ub, b_ub = [], []
        for terms, low, high in self.rows:
            row = np.zeros(len(self.names))
            for n, coefficient in terms.items():
                row[index[n]] += coefficient
            if high != math.inf:
                a_ub.append(row)
                b_ub.append(high)
            if low != -math.inf:
                a_ub.append(-row)
                b_ub.append(-low)
        bounds = [(low, None if high == math.inf else high) for low, high in self.bounds]
        result = linprog(c, A_ub=np.array(a_ub) if a_ub else None, b_ub=np.array(b_ub) if b_ub else None,
                         bounds=bounds, method="highs")
        if result.status == 3:
            return None
        assert result.status == 0, f"the published figures contradict each other: {result.message}"
        return result.fun * sense


def _number(text: str) -> int | None:
    return int(text.replace(",", "")) if re.fullmatch(r"[\d,]+", text) else None


class _Reader:
    """Builds the LP from what was published; ``baseline`` relaxes every shown count to its label."""

    def __init__(self, p: Published, baseline: bool = False):
        self.p, self.baseline, self.m = p, baseline, _Model()
        self.hidden: dict[str, str] = {}  # variable -> its text
        self.rounded_cells: dict[str, int] = {}

    def count(self, name: str, text: str, *, row: bool = True) -> str:
        k, m = self.p.k, self.m
        value = _number(text)
        if self.p.rounded:
            assert value is not None and value % 5 == 0, (name, text)
            slack = 4 if row else 2
            m.var(name, max(0, value - slack), value + slack)
            self.rounded_cells[name] = value
        elif value is not None:
            assert value >= k, f"{name} shows {value}, below k = {k}"
            m.var(name, k, math.inf) if self.baseline else m.var(name, value, value)
        elif text == f"fewer than {k}":
            m.var(name, 0, k - 1)
            self.hidden[name] = text
        else:
            assert text == "not shown", (name, text)
            m.var(name, k, math.inf)
            self.hidden[name] = text
        return name

    def hours(self, name: str, text: str, count: str, *, row: bool = True, givings: bool = False) -> str:
        m = self.m
        if text == "–" or self.baseline:
            m.var(name)
        elif self.p.rounded:
            value = int(text.replace(",", "")) * 60
            assert value % 300 == 0, (name, text)
            slack = (299, 299) if row else (150, 149)
            m.var(name, max(0, value - slack[0]), value + slack[1])
        else:
            tenths = round(float(text) * 10)
            m.var(name, max(0, 6 * tenths - 3), 6 * tenths + 3)
        m.add({name: 1, count: -MIN_MINUTES}, low=0)  # 15 minutes or more each
        if givings:
            m.add({name: 1, count: -MAX_LINE_MINUTES}, high=0)  # a giver's line is at most 24 hours
        return name

    def build(self) -> "_Reader":
        p, m = self.p, self.m
        t = p.tables
        shared_hours = "H"
        assert "by-activity" in t or "by-category" in t, sorted(t)
        for name in (*(name for name in LINKED if name in t), "by-area"):
            rows = t[name]
            total_name = "G" if name == "by-area" else "T"
            cells, hours = [], []
            for label, count_text, hours_text in rows[:-1]:
                var = self.count(f"{name}:{label}", count_text)
                cells.append(var)
                hours.append(self.hours(f"h:{name}:{label}", hours_text, var, givings=name == "by-area"))
            _label, total_text, total_hours = rows[-1]
            total = self.count(total_name, total_text, row=False)
            if total_hours != "–" and not self.baseline:
                self.hours(shared_hours, total_hours, "T", row=False)
            else:
                m.var(shared_hours)
            m.add({**dict.fromkeys(cells, 1), total: -1}, 0, 0)
            m.add({**dict.fromkeys(hours, 1), shared_hours: -1}, 0, 0)
        m.add({"T": 1, "G": -1}, high=0)
        network = {row[0]: row[1] for row in t["network"]}
        headline = {row[0]: row[1] for row in t["headline"]}
        active = self.count("A", headline["Active members (gave or received at least once)"], row=False)
        nodes = self.count("N", network["People and organisations in the network"], row=False)
        ties = self.count("E", network["Ties"], row=False)
        m.add({active: 1, nodes: -1}, high=0)
        for label in ("Ties bridging different areas", "Ties bridging different age bands (consenting members)"):
            m.add({self.count(label, network[label], row=False): 1, ties: -1}, high=0)
        months = [self.count(f"new:{label}", text) for label, text in t["new-ties"]]
        m.var("before", 0, 0 if p.first_quarter else math.inf)
        m.add({**dict.fromkeys(months, 1), "before": 1, ties: -1}, 0, 0)
        if not self.baseline:
            self._ratios(network, headline)
            self._picture()
            self._charts()
        return self

    def _ratio(self, value_text, numerator, denominator, factor=1.0):
        """factor × numerator / denominator printed as value_text (2 decimals or a whole percent)."""
        if value_text.endswith("%"):
            value, half = float(value_text[:-1]) / 100, 0.005
        else:
            value, half = float(value_text), 0.005
        # (value - half) × denominator <= factor × numerator <= (value + half) × denominator
        self.m.add({numerator: factor, denominator: -(value - half)}, low=0)
        self.m.add({numerator: factor, denominator: -(value + half)}, high=0)

    def _ratios(self, network, headline):
        m = self.m
        shown = network["Mean degree (ties per person)"]
        if shown != "not shown":
            self._ratio(shown, "E", "N", 2)
        shown = network["Share in the largest connected group"]
        if shown != "not shown":
            m.var("largest")
            m.add({"largest": 1, "N": -1}, high=0)
            self._ratio(shown, "largest", "N")
        shown = headline["Reciprocity rate (active members who both gave and received)"]
        if shown.endswith("%"):
            m.var("reciprocal")
            m.add({"reciprocal": 1, "A": -1}, high=0)
            self._ratio(shown, "reciprocal", "A")

    def _picture(self):
        p, m = self.p, self.m
        if not p.dots:
            return
        if p.picture_total is None:  # every dot drawn: the dots are the people, the lines the ties
            m.add({"N": 1}, p.dots, p.dots)
            m.add({"E": 1}, p.lines, p.lines)
        else:
            m.add({"N": 1}, p.picture_total, p.picture_total)
            m.add({"E": 1}, low=p.lines)

    def _charts(self):
        """Each bar's value or missing label must be the table's (nothing extra is learnt, but a
        chart saying more than its table is a leak of its own)."""
        p = self.p
        split = "by-category" if "by-category" in p.tables else "by-activity"
        for chart, name in zip(p.charts, ("per-month", split), strict=False):
            rows = p.tables[name][:-1]
            bars = iter(chart)
            for label, count_text, _hours in rows:
                kind, text = next(bars)
                if kind == "bar":
                    assert text == f"{label}: {count_text}", (text, label, count_text)
                else:
                    assert text == count_text, (text, label, count_text)


@dataclass
class Violation:
    cell: str
    text: str
    low: float
    high: float
    why: str


def _range(model: _Model, name: str) -> tuple[float, float]:
    low, high = model.solve(name, 1), model.solve(name, -1)
    low = math.ceil(low - 1e-6) if low is not None else -math.inf
    high = math.floor(high + 1e-6) if high is not None else math.inf
    return low, high


def audit(p: Published) -> list[Violation]:
    """Every hidden count pinned tighter than the rule allows (empty: the release passes)."""
    reader = _Reader(p).build()
    found = []
    if p.rounded:
        for name, shown in reader.rounded_cells.items():
            low, high = _range(reader.m, name)
            if low >= high:
                found.append(Violation(name, str(shown), low, high, "pinned to one value"))
            elif low > 0 and high < 5:
                found.append(Violation(name, str(shown), low, high, "known to be a small count above 0"))
        return found
    baseline = None
    for name, text in reader.hidden.items():
        if text != f"fewer than {p.k}":
            continue
        low, high = _range(reader.m, name)
        if low > 0 or high < p.k - 1:
            if baseline is None:
                baseline = _Reader(p, baseline=True).build()
            base_low, base_high = _range(baseline.m, name)
            if low > base_low or high < base_high:
                found.append(Violation(name, text, low, high,
                                       f"narrowed beyond what its label allows (0 to {p.k - 1}; hiding "
                                       f"everything would leave {base_low} to {base_high})"))
    return found
