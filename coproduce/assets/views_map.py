"""The directory's map data: the places of listed services in the visible area, as JSON for
``static/assets/directory_map.js``. The list beside the map is the page itself (it works without
JavaScript); this only draws the same places."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, FloatField, Max, Min, Q
from django.db.models.functions import Cast, Floor
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coproduce.assets import permissions, queries
from coproduce.assets.forms import DirectoryFilterForm
from coproduce.assets.models import Location, ServiceAtLocation

# Up to this many places in view are sent one by one (the browser clusters them); a more crowded
# view is sent as counts on a grid of GRID x GRID cells, which the person zooms into.
MAX_POINTS = 1000
GRID = 16
ID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _bbox(raw: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """"west,south,east,north" in degrees; ValueError with a reason for anything else."""
    try:
        west, south, east, north = (Decimal(part) for part in raw.split(","))
    except (ValueError, InvalidOperation):
        raise ValueError(_("bbox must be four numbers: west,south,east,north.")) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(_("bbox must have west < east within ±180 and south < north within ±90."))
    return west, south, east, north


def services_for_map(request, community) -> Q:
    """The places of the services the list shows for this request's filters: with no filter, a
    plain join (the common case, and the cheapest); with filters, the list's own query."""
    form = DirectoryFilterForm(request.GET or None, community=community)
    arguments = form.search_arguments() if form.is_bound and form.is_valid() else {}
    if not any(arguments.values()):
        return Q(service__community=community, service__active=True)
    return Q(service__in=queries.directory(community, **arguments).order_by().values("pk"))


@login_required
def map_points(request, slug):
    community = permissions.require_viewer(request, slug).community
    services = services_for_map(request, community)
    if "bbox" not in request.GET:
        extent = (Location.objects.filter(latitude__isnull=False,
                                          pk__in=ServiceAtLocation.objects.filter(services).values("location_id"))
                  .aggregate(s=Min("latitude"), w=Min("longitude"), n=Max("latitude"), e=Max("longitude")))
        found = None if extent["s"] is None else [float(extent[k]) for k in ("s", "w", "n", "e")]
        return JsonResponse({"extent": found})
    try:
        west, south, east, north = _bbox(request.GET["bbox"])
    except ValueError as error:
        return JsonResponse({"errors": {"bbox": [str(error)]}}, status=400)
    in_view = ServiceAtLocation.objects.filter(
        services, location__latitude__range=(south, north), location__longitude__range=(west, east)).order_by()
    url = reverse("assets:service", args=[community.slug, ID_PLACEHOLDER]).replace(ID_PLACEHOLDER, "{id}")
    # Counted with a limit first: the database stops at MAX_POINTS + 1, and a crowded view never
    # pulls its rows into Python.
    if in_view[:MAX_POINTS + 1].count() > MAX_POINTS:
        clusters = _clusters(in_view, west, south, east, north)
        total = sum(n for _lat, _lng, n in clusters)
        summary = ngettext("%(n)s place here: zoom in to see each one.",
                           "%(n)s places here: zoom in to see each one.", total) % {"n": total}
        return JsonResponse({"points": [], "clusters": clusters, "url": url, "capped": True, "summary": summary})
    # Compact rows, [id, name, lat, lng], and one address pattern for every entry's page: at
    # thousands of points the JSON and the address look-ups were most of the response's time.
    rows = in_view.values_list("service_id", "service__name", "location__latitude", "location__longitude")
    points = [[str(pk), name, float(lat), float(lng)] for pk, name, lat, lng in rows]
    summary = ngettext("%(n)s place on the map.", "%(n)s places on the map.", len(points)) % {"n": len(points)}
    return JsonResponse({"points": points, "clusters": [], "url": url, "capped": False, "summary": summary})


def _clusters(in_view, west, south, east, north) -> list[list]:
    """A crowded view as a GRID x GRID grid counted by the database: [lat, lng, count] per
    occupied cell, at the mean position of its places, so the response stays small however many
    places there are."""
    width, height = float(east - west) / GRID, float(north - south) / GRID
    # In floating point: the same cells, without the cost of decimal arithmetic on every row.
    lng, lat = Cast("location__longitude", FloatField()), Cast("location__latitude", FloatField())
    cells = (in_view.annotate(gx=Floor((lng - float(west)) / width), gy=Floor((lat - float(south)) / height))
             .values("gx", "gy")
             .annotate(n=Count("id"), lat=Avg("location__latitude"), lng=Avg("location__longitude"))
             .order_by("gy", "gx"))
    return [[round(float(cell["lat"]), 6), round(float(cell["lng"]), 6), cell["n"]] for cell in cells]
