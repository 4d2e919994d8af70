"""The "Download as CSV" link under a figure table (see ``coproduce.insights.tables.respond``)."""

from django import template
from django.http import QueryDict

register = template.Library()

# Not carried into a download: the table asked for is set afresh, and a CSV is the whole list, not one page.
DROPPED = ("csv", "page")


def csv_query(query: QueryDict, name: str) -> str:
    """``?`` + the page's own query (month period, date window, quarter, days, …) with ``csv=<name>``."""
    query = query.copy()
    for key in DROPPED:
        query.pop(key, None)
    query["csv"] = name
    return "?" + query.urlencode()


@register.inclusion_tag("insights/_csv_link.html", takes_context=True)
def csv_link(context, table):
    """The link for one table (a ``tables.table`` dict), keeping whatever the page was asked for."""
    request = context.get("request")
    return {"href": csv_query(request.GET if request else QueryDict(), table["name"]), "caption": table["caption"]}
