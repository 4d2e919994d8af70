from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from coproduce.lib.charts import bar_chart


def test_chart_with_table_alternative():
    table = {"caption": "Hours <by> month", "headers": ["Month", "Hours"], "rows": [["Jan", 3], ["<b>Feb</b>", 5]]}
    html = render_to_string("charts/_chart.html", {
        "chart": mark_safe(bar_chart(["Jan", "Feb"], [3, 5], title="Hours by month")),  # charts escape text
        "table": table,
    })
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html
    assert "<caption>Hours &lt;by&gt; month</caption>" in html
    assert '<th scope="col">Month</th>' in html
    assert '<th scope="row">&lt;b&gt;Feb&lt;/b&gt;</th><td>5</td>' in html


def test_empty_table():
    html = render_to_string("charts/_table.html", {"table": {"caption": "c", "headers": ["a", "b"], "rows": []}})
    assert "No figures yet." in html and 'colspan="2"' in html
