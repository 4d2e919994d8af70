import xml.etree.ElementTree as ET

import pytest

from coproduce.lib import charts
from coproduce.lib.charts import Series

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def texts(root, css_class):
    return [t.text for t in root.iter(f"{SVG}text") if t.get("class") == css_class]


def test_bar_chart_structure():
    root = parse(charts.bar_chart(["Jan", "Feb", "Mar"], [3, 7.5, 0], title="Hours by month",
                                  desc="Exchange hours per month."))
    assert root.find(f"{SVG}title").text == "Hours by month"
    assert root.find(f"{SVG}desc").text == "Exchange hours per month."
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 3
    assert texts(root, "label") == ["Jan", "Feb", "Mar"]
    assert texts(root, "value") == ["3", "7.5", "0"]
    # The tallest bar reaches the top of the scale (axis max is 10 for 7.5).
    heights = [float(b.get("height")) for b in bars]
    assert heights[2] == 0 and heights[1] > heights[0]


def test_text_is_escaped():
    markup = charts.bar_chart(['<script>alert("x")</script> & co'], [1], title="A & B <c>")
    assert "<script>" not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == "A & B <c>"
    assert texts(root, "label") == ['<script>alert("x")</script> & co']


def test_bar_chart_rejects_mismatched_input():
    with pytest.raises(ValueError):
        charts.bar_chart(["a"], [1, 2], title="t")


def test_line_chart_with_previous_period():
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    root = parse(charts.line_chart(months, [Series("This year", [1, 2, None, 4]),
                                            Series("Last year", [2, 2, 3, 3])], title="Hours"))
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "series"]
    assert [g.get("data-series") for g in groups] == ["This year", "Last year"]
    # The missing March value breaks the line into two pieces and has no point.
    assert len(groups[0].findall(f"{SVG}polyline")) == 1  # [Jan, Feb] then [Apr] alone
    assert len(groups[0].findall(f"{SVG}circle")) == 3
    assert len(groups[1].findall(f"{SVG}circle")) == 4
    assert texts(root, "label") == months
    assert texts(root, "legend") == ["This year", "Last year"]


def test_line_chart_thins_crowded_month_labels():
    months = [f"2026-{m:02d}" for m in range(1, 13)] + [f"2027-{m:02d}" for m in range(1, 13)]
    root = parse(charts.line_chart(months, [Series("Hours", list(range(24)))], title="Two years"))
    shown = texts(root, "label")
    assert shown[0] == "2026-01" and 1 < len(shown) < 24
    assert set(shown) <= set(months)


def test_scatter_plot_with_trend():
    root = parse(charts.scatter_plot([(1, 2), (2, 4), (3, 5)], title="Hours and crime", x_label="hours",
                                     y_label="crimes", point_labels=["A", "B", "C"], trend=(1.5, 0.7)))
    points = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]
    assert len(points) == 3
    assert points[0].find(f"{SVG}title").text == "A: 1, 2"
    assert len([line for line in root.iter(f"{SVG}line") if line.get("class") == "trend"]) == 1
    no_trend = parse(charts.scatter_plot([(1, 2)], title="t"))
    assert not [line for line in no_trend.iter(f"{SVG}line") if line.get("class") == "trend"]


def test_radar_chart_six_axes():
    axes = ["Assets", "Capacity", "Mutuality", "Networks", "Blurred roles", "Catalysts"]
    root = parse(charts.radar_chart(axes, [Series("2026", [1, 2, 3, 4, 5, 3]),
                                           Series("2025", [1, 1, 2, 2, 3, 3])], title="Self-assessment"))
    assert texts(root, "label") == axes
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "series"]
    assert len(groups) == 2
    assert len(groups[0].findall(f"{SVG}circle")) == 6
    # Five rings for the 1–5 scale.
    assert texts(root, "tick") == ["1", "2", "3", "4", "5"]
    with pytest.raises(ValueError):
        charts.radar_chart(axes, [Series("x", [1, 2])], title="t")


def test_empty_inputs_still_draw():
    parse(charts.bar_chart([], [], title="Nothing yet"))
    parse(charts.line_chart([], [Series("s", [])], title="Nothing yet"))
    parse(charts.scatter_plot([], title="Nothing yet"))
