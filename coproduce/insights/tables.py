"""Figure tables: what every figures page shows, downloads as CSV and prints in the PDF report.

A table is a plain dict (``name``, ``caption``, ``headers``, ``rows``) so the same value feeds
the HTML template (``charts/_table.html``), the CSV download and the report.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from coproduce.lib import csv_safe


def table(name, caption, headers, rows) -> dict:
    return {"name": name, "caption": caption, "headers": headers, "rows": rows}


def csv_response(table: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table["name"]}.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(table["headers"])
    writer.writerows(table["rows"])
    return response


def respond(request, template, context, tables, status=200):
    """The page, or with ``?csv=<name>`` that one table as CSV (404 for an unknown name)."""
    wanted = request.GET.get("csv")
    if wanted:
        for candidate in tables:
            if candidate["name"] == wanted:
                return csv_response(candidate)
        raise Http404(_("No such table."))
    context["tables"] = tables
    return render(request, template, context, status=status)
