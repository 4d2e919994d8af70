"""The directory's pages: the list with its filters, an entry's page, adding and changing entries,
members' suggestions and the coordinators' queues. Each view checks access, validates a form and
calls a service."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.assets import permissions, queries, services
from coproduce.assets.forms import (
    CorrectionForm,
    DeclineForm,
    DirectoryFilterForm,
    ServiceForm,
    SuggestionForm,
    VenuePlaceForm,
)
from coproduce.assets.gifts import gifts_by_area
from coproduce.assets.models import Origin, Service, Suggestion, SuggestionStatus
from coproduce.assets.venues import save_venue_place, venue_place
from coproduce.partners.models import Organisation

PAGE_SIZE = 20


def origin_url(service, slug: str) -> str:
    """Where a mirrored entry is changed: its group, opportunity or partner page."""
    if service.origin == Origin.GROUP:
        return reverse("groups:detail", args=[slug, service.origin_id])
    if service.origin == Origin.OPPORTUNITY:
        return reverse("partners:opportunity", args=[slug, service.origin_id])
    if service.origin == Origin.VENUE:
        return reverse("assets:venue", args=[slug, service.origin_id])
    if service.origin == Origin.LISTING and service.organisation.partner_id:
        return reverse("partners:detail", args=[slug, service.organisation.partner_id])
    return ""


def directory(request, slug):
    viewer = permissions.require_viewer(request, slug)
    form = DirectoryFilterForm(request.GET or None, community=viewer.community)
    arguments = form.search_arguments() if form.is_bound and form.is_valid() else {}
    found = queries.directory(viewer.community, **arguments)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "assets/directory.html",
        viewer.context(form=form, page=page, query_string=query_string.urlencode(),
                       map_tiles=settings.MAP_TILE_URL, map_attribution=settings.MAP_TILE_ATTRIBUTION),
    )


def gifts(request, slug):
    """The members' gifts layer: an aggregate over every membership, so it follows the directory
    page (htmx) instead of holding it up; without JavaScript it is a page of its own."""
    viewer = permissions.require_viewer(request, slug)
    template = "assets/_gifts.html" if request.headers.get("HX-Request") == "true" else "assets/gifts.html"
    response = render(request, template, viewer.context(gifts=gifts_by_area(viewer.community)))
    patch_vary_headers(response, ["HX-Request"])
    return response


def service_detail(request, slug, pk):
    viewer = permissions.require_viewer(request, slug)
    service = permissions.service_for_viewer(viewer, pk)
    return render(
        request,
        "assets/service_detail.html",
        viewer.context(
            service=service,
            may_edit=permissions.may_edit(viewer, service),
            origin_url=origin_url(service, slug) if service.kept_elsewhere else "",
            may_refer=bool(viewer.staff_of),
        ),
    )


def _save_form(request, viewer, *, service=None, suggestion=None):
    organisations = permissions.editable_organisations(viewer)
    if service is not None:
        initial = ServiceForm.initial_for(service)
    elif suggestion is not None:
        initial = {
            "name": suggestion.name,
            "description": suggestion.details,
            "address": suggestion.place,
            "postcode": suggestion.postcode,
        }
    else:
        initial = {}
    form = ServiceForm(
        request.POST or None,
        initial=initial,
        community=viewer.community,
        organisations=organisations,
        service=service,
    )
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            if suggestion is not None:
                saved = services.accept_suggestion(suggestion, actor=request.user, **arguments)
                messages.success(request, _("Suggestion accepted: the directory now shows it."))
            else:
                saved = services.save_service(actor=request.user, service=service, **arguments)
                messages.success(request, _("Saved."))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("assets:service", viewer.community.slug, saved.pk)
    return render(
        request,
        "assets/service_form.html",
        viewer.context(form=form, service=service, suggestion=suggestion),
    )


def service_new(request, slug):
    viewer = permissions.require_viewer(request, slug)
    permissions.require_adder(viewer)
    return _save_form(request, viewer)


def service_edit(request, slug, pk):
    viewer = permissions.require_viewer(request, slug)
    service = permissions.service_for_viewer(viewer, pk)
    permissions.require_editor(viewer, service)
    return _save_form(request, viewer, service=service)


@require_POST
def service_checked(request, slug, pk):
    viewer = permissions.require_viewer(request, slug)
    service = permissions.service_for_viewer(viewer, pk)
    permissions.require_editor(viewer, service)
    services.mark_checked(service, actor=request.user)
    messages.success(request, _("Marked as checked today."))
    if request.POST.get("next") == "needs_checking":
        return redirect("assets:needs_checking", slug)
    return redirect("assets:service", slug, service.pk)


def needs_checking(request, slug):
    viewer = permissions.require_viewer(request, slug)
    permissions.require_coordinator(viewer)
    found = queries.needs_checking(viewer.community)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assets/needs_checking.html", viewer.context(page=page, query_string=""))


def suggest(request, slug):
    viewer = permissions.require_viewer(request, slug)
    permissions.require_suggester(viewer)
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.suggest(membership=viewer.membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Thank you. A coordinator will look at your suggestion."))
            return redirect("assets:suggest", slug)
    mine = (
        Suggestion.objects.filter(suggested_by=viewer.membership)
        .select_related("service")
        .order_by("-created_at")[:20]
    )
    return render(request, "assets/suggest.html", viewer.context(form=form, mine=mine))


def suggest_correction(request, slug, pk):
    viewer = permissions.require_viewer(request, slug)
    permissions.require_suggester(viewer)
    service = permissions.service_for_viewer(viewer, pk)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.suggest(
            membership=viewer.membership,
            service=service,
            name=service.name,
            details=form.cleaned_data["details"],
        )
        messages.success(request, _("Thank you. A coordinator will look at your correction."))
        return redirect("assets:service", slug, service.pk)
    return render(request, "assets/correction.html", viewer.context(form=form, service=service))


def suggestions(request, slug):
    viewer = permissions.require_viewer(request, slug)
    permissions.require_coordinator(viewer)
    return render(request, "assets/suggestions.html", viewer.context(pending=_queue(viewer)))


def _queue(viewer, failed=None) -> list:
    """The waiting suggestions, oldest first, each with its own decline form (ids kept unique)."""
    pending = (
        Suggestion.objects.filter(community=viewer.community, status=SuggestionStatus.PENDING)
        .select_related("suggested_by__user", "service")
        .order_by("created_at")
    )
    queue = []
    for suggestion in pending:
        if failed and failed[0] == suggestion.pk:
            form = failed[1]
        else:
            form = DeclineForm(auto_id=f"id_%s_{suggestion.pk}")
        queue.append((suggestion, form))
    return queue


def _pending_suggestion(viewer, pk) -> Suggestion:
    return get_object_or_404(
        Suggestion.objects.select_related("suggested_by__user", "service__organisation"),
        pk=pk,
        community=viewer.community,
        status=SuggestionStatus.PENDING,
    )


def suggestion_accept(request, slug, pk):
    viewer = permissions.require_viewer(request, slug)
    permissions.require_coordinator(viewer)
    suggestion = _pending_suggestion(viewer, pk)
    if suggestion.service is not None and suggestion.service.kept_elsewhere:
        messages.error(
            request,
            _("This entry is changed where it lives; decline the suggestion and pass it on."),
        )
        return redirect("assets:suggestions", slug)
    return _save_form(request, viewer, service=suggestion.service, suggestion=suggestion)


@require_POST
def suggestion_decline(request, slug, pk):
    viewer = permissions.require_viewer(request, slug)
    permissions.require_coordinator(viewer)
    suggestion = _pending_suggestion(viewer, pk)
    form = DeclineForm(request.POST, auto_id=f"id_%s_{suggestion.pk}")
    if form.is_valid():
        services.decline_suggestion(
            suggestion, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Suggestion declined."))
        return redirect("assets:suggestions", slug)
    return render(
        request,
        "assets/suggestions.html",
        viewer.context(pending=_queue(viewer, failed=(suggestion.pk, form))),
        status=400,
    )


def venue(request, slug, partner_pk):
    """A venue's place and opening times, changed by its staff and the coordinators."""
    viewer = permissions.require_viewer(request, slug)
    partner = get_object_or_404(Organisation, pk=partner_pk, community=viewer.community)
    if not viewer.is_coordinator and partner.pk not in viewer.staff_of:
        raise PermissionDenied(_("Only %(venue)s's own staff and coordinators can change this.")
                               % {"venue": partner.name})
    place, hours = venue_place(partner)
    form = VenuePlaceForm(request.POST or None, initial=VenuePlaceForm.initial_for(place, hours))
    if request.method == "POST" and form.is_valid():
        try:
            save_venue_place(partner, actor=request.user, place=form.place(), hours=form.hours())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Saved: the directory and the map show where and when you are open."))
            return redirect("assets:venue", slug, partner.pk)
    entry = Service.objects.filter(origin=Origin.VENUE, origin_id=partner.pk).values_list("pk", flat=True).first()
    return render(request, "assets/venue.html",
                  viewer.context(form=form, partner=partner, entry=entry), status=400 if form.errors else 200)
