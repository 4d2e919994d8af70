"""Pages about linked time banks: members record help from a member of a linked bank and find
that bank's offers; coordinators link banks and check that both ledgers agree."""

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.federation import services, transport
from coproduce.federation.forms import CrossingForm, LinkForm, OfferSearchForm
from coproduce.federation.models import Crossing, CrossingState, Link
from coproduce.members.permissions import require_coordinator, require_member
from coproduce.members.views import add_form_errors

CROSSINGS_SHOWN = 20


@login_required
def linked(request, slug):
    """For members: the banks this one is linked to, recording help from their members, and their
    offers. The help is recorded by the member who received it (they pay)."""
    access = require_member(request, slug)
    if access.membership is None:
        raise PermissionDenied(_("Only members record exchanges with linked time banks."))
    links = list(Link.objects.filter(community=access.community, active=True).order_by("name"))
    form = CrossingForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            crossing = services.start_crossing(
                data["link"], member=access.membership, their_member=data["their_member"], minutes=data["minutes"],
                performed_on=data["performed_on"], description=data["description"], keyed_by=request.user,
                uuid=data["token"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            crossing.refresh_from_db()
            flash.success(request, _("Recorded: %(state)s.") % {"state": crossing.get_state_display()})
            return redirect("federation:linked", slug=slug)
    mine = (Crossing.objects.filter(member=access.membership).select_related("link")
            .order_by("-created_at")[:CROSSINGS_SHOWN])
    return render(request, "federation/linked.html", {
        "access": access, "community": access.community, "links": links, "form": form, "crossings": mine,
        "search": OfferSearchForm(community=access.community)})


@login_required
def offers(request, slug):
    """Offers and requests a linked bank's members let us see, fetched from that bank now."""
    access = require_member(request, slug)
    form = OfferSearchForm(request.GET or None, community=access.community)
    posts, problem = None, ""
    if form.is_bound and form.is_valid():
        link = form.cleaned_data["link"]
        try:
            answer = transport.send(link, "GET", "/offers?" + urlencode({"q": form.cleaned_data["q"]}))
            if answer.status != 200:
                raise transport.Unreachable(f"HTTP {answer.status}")
            posts = answer.data.get("posts", [])
        except transport.Unreachable:
            problem = _("%(bank)s did not answer. Try again later.") % {"bank": link.name}
    return render(request, "federation/offers.html", {
        "access": access, "community": access.community, "form": form, "posts": posts, "problem": problem})


@login_required
def manage(request, slug):
    """For coordinators: this community's key, its links with their balances and limits, and a
    form to link another bank."""
    access = require_coordinator(request, slug)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_bank(access.community, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            flash.success(request, _("Linked. The other bank must link to this one too, with this community's key."))
            return redirect("federation:manage", slug=slug)
    links = list(Link.objects.filter(community=access.community).select_related("account").order_by("name"))
    waiting = _pending_counts(access.community)
    for link in links:
        link.waiting = waiting.get(link.pk, 0)
        link.their_limit, link.owed_to_us = -link.account.min_override, -link.account.balance
    return render(request, "federation/manage.html", {
        "access": access, "community": access.community, "form": form, "links": links,
        "node": services.node_for(access.community)})


def _pending_counts(community) -> dict[int, int]:
    return dict(Crossing.objects.filter(link__community=community, state=CrossingState.PENDING)
                .values_list("link").annotate(n=Count("pk")).values_list("link", "n"))


@login_required
@require_POST
def check(request, slug, pk):
    """Reconcile one link now, and show what it found."""
    access = require_coordinator(request, slug)
    link = get_object_or_404(Link.objects.select_related("community__node", "account"), pk=pk,
                             community=access.community)
    report = services.reconcile(link)
    return render(request, "federation/check.html", {
        "access": access, "community": access.community, "link": link, "report": report})
