"""The directory's map data: the places of listed services in the visible area, as JSON for
``static/assets/directory_map.js``. The list beside the map is the page itself (it works without
JavaScript); this only draws the same places."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.db.models import Max, Min
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.assets import permissions, queries
from coproduce.assets.forms import DirectoryFilterForm
from coproduce.assets.models import Location, ServiceAtLocation

# Enough for a town's assets in one view; marker clustering draws thousands without effort. A
# wider view asks the person to zoom in rather than sending the whole country.
MAX_POINTS = 5000


def _bbox(raw: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """"west,south,east,north" in degrees; ValueError with a reason for anything else."""
    try:
        west, south, east, north = (Decimal(part) for part in raw.split(","))
    except (ValueError, InvalidOperation):
        raise ValueError(_("bbox must be four numbers: west,south,east,north.")) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(_("bbox must have west < east within ±180 and south < north within ±90."))
    return west, south, east, north


def services_for_map(request, community):
    """The services the list shows for this request's filters, as a subquery of ids."""
    form = DirectoryFilterForm(request.GET or None, community=community)
    arguments = form.search_arguments() if form.is_bound and form.is_valid() else {}
    return queries.directory(community, **arguments).order_by().values("pk")


@login_required
def map_points(request, slug):
    community = permissions.require_viewer(request, slug).community
    services = services_for_map(request, community)
    if "bbox" not in request.GET:
        extent = (Location.objects.filter(service_at__service__in=services, latitude__isnull=False)
                  .aggregate(s=Min("latitude"), w=Min("longitude"), n=Max("latitude"), e=Max("longitude")))
        found = None if extent["s"] is None else [float(extent[k]) for k in ("s", "w", "n", "e")]
        return JsonResponse({"extent": found})
    try:
        west, south, east, north = _bbox(request.GET["bbox"])
    except ValueError as error:
        return JsonResponse({"errors": {"bbox": [str(error)]}}, status=400)
    rows = list(ServiceAtLocation.objects
                .filter(service__in=services, location__latitude__range=(south, north),
                        location__longitude__range=(west, east))
                .order_by("service__name", "id")
                .values_list("service_id", "service__name", "location__latitude", "location__longitude")
                [:MAX_POINTS + 1])
    capped = len(rows) > MAX_POINTS
    rows = rows[:MAX_POINTS]
    points = [{"id": str(pk), "name": name, "lat": float(lat), "lng": float(lng),
               "url": reverse("assets:service", args=[community.slug, pk])} for pk, name, lat, lng in rows]
    summary = (_("More than %(n)s places here: zoom in to see them all.") % {"n": MAX_POINTS} if capped
               else ngettext("%(n)s place on the map.", "%(n)s places on the map.", len(points)) % {"n": len(points)})
    return JsonResponse({"points": points, "capped": capped, "summary": summary})
