"""The public, read-only Open Referral UK 3.0 feed under ``/oruk/``.

No key and no session: anyone (another directory, a link worker's tool, the ORUK validator) may
read it, from any origin (``Access-Control-Allow-Origin: *``). Only listed services and what
hangs off them are in it, shaped by ``coproduce.assets.oruk``. Bad input is a 4xx JSON answer
``{"errors": [...]}``, never an HTML page or a 500. Each page costs a fixed number of queries
whatever its size (the nested parts are prefetched).
"""

import datetime
import functools
import math
import re
import uuid
from pathlib import Path

from django.db.models import Avg, Exists, FloatField, OuterRef, Prefetch, Q, Value
from django.db.models.functions import (
    ASin,
    Cast,
    Coalesce,
    Cos,
    Power,
    Radians,
    Replace,
    Sin,
    Sqrt,
    Upper,
)
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from coproduce.assets import oruk
from coproduce.assets.models import (
    AssetOrganisation,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from coproduce.lib.inputs import search_text

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "hsds_uk"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EARTH_RADIUS_M = 6_371_000
MAX_PROXIMITY_M = 1_000_000
# Outward and inward codes of a UK postcode (BS 7666), spaces optional.
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


class BadRequest(Exception):
    def __init__(self, parameter: str, message: str, status: int = 400):
        super().__init__(message)
        self.parameter, self.message, self.status = parameter, message, status


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    return response


def _error(status: int, message: str, parameter: str | None = None):
    error = {"message": message, **({"parameter": parameter} if parameter else {})}
    return _cors(JsonResponse({"errors": [error]}, status=status))


def feed_view(view):
    """GET (and CORS preflight) only, JSON errors, CORS on every answer."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204))
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "The feed is read-only: use GET.")
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        try:
            return _cors(view(request, *args, **kwargs))
        except BadRequest as bad:
            return _error(bad.status, bad.message, bad.parameter)

    return wrapped


# -- parameters ---------------------------------------------------------------------------------


def _int(request, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a whole number.") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(name, f"{name} must be {bounds}.")
    return value


def _age(request, name: str) -> float | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a number of years.") from None
    if not 0 <= value <= 150:
        raise BadRequest(name, f"{name} must be between 0 and 150.")
    return value


def _time(request, name: str) -> datetime.time | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.datetime.strptime(raw, pattern).time()  # noqa: DTZ007 (a time of day)
        except ValueError:
            continue
    raise BadRequest(name, f"{name} must be a time of day as HH:MM.")


def _uuid_param(request, name: str) -> uuid.UUID | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a UUID.") from None


def _uuid_path(raw: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadRequest("id", f"No {what} with this id: ids are UUIDs.", status=404) from None


def _page(request, queryset, shape, *, count=None):
    """The standard's page: the totals, where this page is, and its contents."""
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _int(request, "page", 1, 1)
    total = queryset.count() if count is None else count
    total_pages = math.ceil(total / per_page)
    if page > max(total_pages, 1):
        raise BadRequest(
            "page", f"There is no page {page}: there are {total_pages} pages.", status=404
        )
    rows = list(queryset[(page - 1) * per_page : page * per_page])
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page,
            "size": len(rows),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": total == 0,
            "contents": [shape(row) for row in rows],
        }
    )


# -- which rows ---------------------------------------------------------------------------------


def listed_services():
    return Service.objects.listed().select_related("organisation")


def full_services():
    """Listed services with everything ``oruk.service_full`` reads, in a fixed number of queries."""
    return listed_services().prefetch_related(
        Prefetch("schedules", queryset=Schedule.objects.order_by("valid_from", "opens_at", "id")),
        Prefetch(
            "at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").order_by("id"),
        ),
        Prefetch(
            "terms", queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "id")
        ),
    )


def filter_services(request, services):
    """The standard's service filters (openapi.json's parameters, read as it words them)."""
    search = search_text(request.GET.get("search", ""), 200)
    if search:
        services = services.filter(Q(name__icontains=search) | Q(description__icontains=search))
    term_id = _uuid_param(request, "taxonomy_term_id")
    if term_id:
        services = services.filter(
            Exists(
                Service.terms.through.objects.filter(
                    service_id=OuterRef("pk"), taxonomyterm_id=term_id
                )
            )
        )
    taxonomy_id = _uuid_param(request, "taxonomy_id")
    if taxonomy_id:
        services = services.filter(
            Exists(
                Service.terms.through.objects.filter(
                    service_id=OuterRef("pk"), taxonomyterm__taxonomy_id=taxonomy_id
                )
            )
        )
    # "a minimum age of at least" / "a maximum age at or below" the value: no minimum is 0, and
    # no maximum is no limit, so a service for all ages never has a maximum "at or below".
    minimum_age = _age(request, "minimum_age")
    if minimum_age is not None:
        services = services.alias(min_age=Coalesce("minimum_age", 0)).filter(
            min_age__gte=minimum_age
        )
    maximum_age = _age(request, "maximum_age")
    if maximum_age is not None:
        services = services.filter(maximum_age__lte=maximum_age)
    # day, start_time and end_time all hold for the same schedule (open on Monday from 10:00,
    # not open on Monday and open from 10:00 on some other day).
    day = request.GET.get("day", "").strip().upper()
    if day and day not in DAYS:
        raise BadRequest("day", "day must be one of MO, TU, WE, TH, FR, SA, SU.")
    start_time, end_time = _time(request, "start_time"), _time(request, "end_time")
    if day or start_time or end_time:
        schedules = Schedule.objects.filter(service_id=OuterRef("pk"))
        if day:
            schedules = schedules.filter(byday__contains=day)
        if start_time:
            schedules = schedules.filter(opens_at__gte=start_time)
        if end_time:
            schedules = schedules.filter(closes_at__lte=end_time)
        services = services.filter(Exists(schedules))
    return services


def _normalised_postcode(raw: str) -> str:
    return re.sub(r"\s+", "", raw).upper()


def _postcode_point(raw: str) -> tuple[float, float]:
    """The centre of the places we know at this postcode (we keep no postcode gazetteer)."""
    postcode = _normalised_postcode(raw)
    if not POSTCODE.match(postcode):
        raise BadRequest("postcode", "postcode is not a UK postcode.")
    point = (
        Location.objects.filter(latitude__isnull=False)
        .alias(compact=Upper(Replace("postcode", Value(" "), Value(""))))
        .filter(compact=postcode)
        .aggregate(
            lat=Avg(Cast("latitude", FloatField())), lng=Avg(Cast("longitude", FloatField()))
        )
    )
    if point["lat"] is None:
        raise BadRequest("postcode", "This postcode is unknown to this directory.")
    return point["lat"], point["lng"]


def _distance_m(lat: float, lng: float):
    """Great-circle (haversine) distance in metres from a point to the link's location."""
    lat0, lng0 = math.radians(lat), math.radians(lng)
    here_lat = Radians(Cast("location__latitude", FloatField()))
    here_lng = Radians(Cast("location__longitude", FloatField()))
    half = Power(Sin((here_lat - Value(lat0)) / 2), 2) + Value(math.cos(lat0)) * Cos(
        here_lat
    ) * Power(Sin((here_lng - Value(lng0)) / 2), 2)
    return Value(2.0 * EARTH_RADIUS_M) * ASin(Sqrt(half))


# -- views --------------------------------------------------------------------------------------


@feed_view
def index(request):
    return JsonResponse(
        {
            "version": oruk.VERSION,
            "profile": oruk.PROFILE_URL,
            "openapi_url": request.build_absolute_uri(reverse("oruk:openapi")),
        }
    )


@functools.cache
def _openapi() -> bytes:
    return (SCHEMAS / "openapi.json").read_bytes()


@feed_view
def openapi(request):
    return HttpResponse(_openapi(), content_type="application/json")


@feed_view
def services(request):
    found = filter_services(request, listed_services()).order_by("name", "id")
    return _page(request, found, oruk.service_summary)


@feed_view
def service(request, id):
    found = full_services().filter(pk=_uuid_path(id, "service")).first()
    if found is None:
        raise BadRequest("id", "No service with this id.", status=404)
    return JsonResponse(oruk.service_full(found))


@feed_view
def taxonomies(request):
    return _page(request, Taxonomy.objects.order_by("name", "id"), oruk.taxonomy)


@feed_view
def taxonomy(request, id):
    found = Taxonomy.objects.filter(pk=_uuid_path(id, "taxonomy")).first()
    if found is None:
        raise BadRequest("id", "No taxonomy with this id.", status=404)
    terms = found.terms.select_related("taxonomy").order_by("name", "id")
    return JsonResponse(
        {
            **oruk.taxonomy(found),
            **oruk._compact({"taxonomy_terms": [oruk.taxonomy_term(t) for t in terms]}),
        }
    )


@feed_view
def taxonomy_terms(request):
    terms = TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "id")
    return _page(request, terms, oruk.taxonomy_term)


@feed_view
def taxonomy_term(request, id):
    found = (
        TaxonomyTerm.objects.select_related("taxonomy")
        .filter(pk=_uuid_path(id, "taxonomy term"))
        .first()
    )
    if found is None:
        raise BadRequest("id", "No taxonomy term with this id.", status=404)
    return JsonResponse(oruk.taxonomy_term(found))


@feed_view
def service_at_locations(request):
    links = ServiceAtLocation.objects.select_related("location", "service__organisation").filter(
        service__in=filter_services(request, Service.objects.listed()).values("pk")
    )
    postcode = request.GET.get("postcode", "").strip()
    raw_proximity = request.GET.get("proximity", "").strip()
    if raw_proximity and not postcode:
        raise BadRequest("proximity", "proximity needs a postcode to measure from.")
    if postcode:
        lat, lng = _postcode_point(postcode)
        links = links.filter(location__latitude__isnull=False).annotate(
            distance=_distance_m(lat, lng)
        )
        if raw_proximity:
            proximity = _int(request, "proximity", 0, 0, MAX_PROXIMITY_M)
            links = links.filter(distance__lte=proximity)
        return _page(request, links.order_by("distance", "id"), oruk.service_at_location_summary)
    return _page(request, links.order_by("service__name", "id"), oruk.service_at_location_summary)


@feed_view
def service_at_location(request, id):
    found = (
        ServiceAtLocation.objects.select_related("location")
        .prefetch_related(Prefetch("service", queryset=full_services()))
        .filter(pk=_uuid_path(id, "service at location"), service__active=True)
        .first()
    )
    if found is None:
        raise BadRequest("id", "No service at location with this id.", status=404)
    return JsonResponse(oruk.service_at_location_full(found))


def _organisations():
    # Only organisations that run something listed: an organisation is in the directory through
    # what it offers, and one whose services are all withdrawn is not advertised.
    return AssetOrganisation.objects.filter(
        Exists(Service.objects.listed().filter(organisation=OuterRef("pk")))
    )


@feed_view
def organizations(request):
    return _page(request, _organisations().order_by("name", "id"), oruk.organization)


@feed_view
def organization(request, id):
    found = _organisations().filter(pk=_uuid_path(id, "organization")).first()
    if found is None:
        raise BadRequest("id", "No organization with this id.", status=404)
    listed = listed_services().filter(organisation=found).order_by("name", "id")
    return JsonResponse(oruk.organization_full(found, listed))


@feed_view
def not_found(request, rest=""):
    return _error(404, "Nothing here: see openapi_url at /oruk/ for what this feed offers.")
