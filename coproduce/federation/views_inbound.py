"""What a linked bank calls (JSON, signed; docs/federation.md). Every answer is JSON, refusals
as ``{"errors": {field: [messages]}}`` with a 4xx status."""

import json
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from coproduce.communities.models import Community
from coproduce.federation import keys, services
from coproduce.federation.models import Crossing
from coproduce.market.models import Post
from coproduce.market.queries import search_posts


def _error(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse({"errors": {field: [message]}}, status=status)


def signed(view):
    """Only a linked bank, by a valid signature of this request with the key the link holds."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, slug, **kwargs):
        link = services.find_link(slug, request.headers.get(keys.KEY_HEADER, ""))
        if link is None:
            community = Community.objects.filter(slug=slug).first()
            if community is None:
                return _error(404, "detail", _("No such community here."))
            return _error(401, "detail", _("This key is not linked to %(community)s.") % {"community": community.name})
        if not keys.verify(link.peer_public_key, request.method, request.get_full_path(), request.body,
                           request.headers.get(keys.TIME_HEADER, ""), request.headers.get(keys.SIGNATURE_HEADER, ""),
                           recipient=link.community.node.public_key):
            return _error(401, "detail", _("The signature does not match this request, or it is too old."))
        return view(request, link, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@signed
def crossings(request, link):
    if request.method == "GET":
        try:
            after = min(max(int(request.GET.get("after", "0")), 0), 2**31 - 1)
        except ValueError:
            return _error(400, "after", _("Give a whole number."))
        return JsonResponse(services.listing(link, after=after))
    try:
        data = json.loads(request.body or b"")
    except ValueError:
        return _error(400, "detail", _("Send a JSON object."))
    try:
        result = services.receive(link, data)
    except ValidationError as error:
        return JsonResponse({"errors": {key: [str(m) for m in value] for key, value in error.message_dict.items()}},
                            status=400)
    return JsonResponse(result.body, status=result.status)


@require_GET
@signed
def crossing(request, link, uuid):
    found = Crossing.objects.filter(link=link, uuid=uuid).select_related("member__user", "link__community").first()
    if found is None:
        return _error(404, "uuid", _("No transaction with this UUID here."))
    from coproduce.federation import messages

    return JsonResponse(messages.as_message(found))


OFFERS_SHOWN = 20


@require_GET
@signed
def offers(request, link):
    """Open offers and requests whose authors let linked banks see them, as the market searches."""
    query = request.GET.get("q", "")[:100]
    posts = (search_posts(link.community, query=query, sort="newest").filter(visible_to_linked_banks=True)
             .select_related("author__user", "category")[:OFFERS_SHOWN])
    return JsonResponse({"posts": [_shared(post) for post in posts]})


def _shared(post: Post) -> dict:
    # The first name only: enough to ask for them, no more than the author agreed to show.
    return {"id": post.pk, "kind": post.kind, "title": post.title, "description": post.description[:500],
            "category": post.category.name, "duration_minutes": post.duration_minutes,
            "author_first_name": post.author.user.name.split(" ")[0], "author_member": post.author_id}


@require_GET
def about(request, slug):
    """The community's name and public key, for the other bank's operator to check (no secret)."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        return _error(404, "detail", _("No such community here."))
    return JsonResponse({"name": community.name, "slug": community.slug,
                         "public_key": services.node_for(community).public_key})


@csrf_exempt
def not_found(request):
    return _error(404, "detail", _("No such address: see docs/federation.md."))
