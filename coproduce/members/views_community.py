import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coproduce.communities import services
from coproduce.communities.forms import (
    AreaForm,
    CategoryForm,
    CommunitySettingsForm,
    RenameCategoryForm,
)
from coproduce.communities.models import Category, Community
from coproduce.lib.disclosure import protect_count
from coproduce.members.counts import active_members
from coproduce.members.permissions import access_for, require_coordinator
from coproduce.members.views import add_form_errors

# The theme's address carries the colour (?v=1d70b8), so a changed colour is a new address and
# the old one may be cached for a year.
THEME_CSS = """:root {{ --govuk-brand-colour: {colour}; --app-brand-colour: {colour}; }}\n"""


@require_GET
def theme_css(request, slug):
    """The community's colour as CSS custom properties (no inline styles under the CSP)."""
    community = get_object_or_404(Community.objects.only("brand_colour"), slug=slug)
    colour = community.brand_colour
    response = HttpResponse(THEME_CSS.format(colour=colour), content_type="text/css; charset=utf-8")
    if request.GET.get("v") == colour.lstrip("#"):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=300"
    return response


def community_home(request, slug):
    """Public: what the community is, how big, and how to join."""
    access = access_for(request, slug)
    community = access.community
    context = {
        "access": access,
        "community": community,
        # Public: protected like every public count (a page elsewhere may hide "fewer than k" active members).
        "member_count": protect_count(active_members(community),
                                      community.small_count_k, community.small_count_rule),
        "areas": community.areas.all(),
        "categories": Category.objects.in_use().filter(community=community, parent__isnull=True),
    }
    return render(request, "communities/home.html", context)


@login_required
def community_settings(request, slug):
    access = require_coordinator(request, slug)
    community = access.community
    # A ModelForm writes cleaned values onto its instance while validating; give it a copy so a
    # refused change never shows in the page's title and navigation as if it were saved.
    form = CommunitySettingsForm(request.POST or None, instance=copy.copy(community))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_community_settings(community, actor=request.user, **form.changes())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("communities:settings", slug=slug)
    return render(request, "communities/settings.html", {"access": access, "community": community, "form": form})


@login_required
def areas(request, slug):
    access = require_coordinator(request, slug)
    form = AreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_area(access.community, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Area added."))
            return redirect("communities:areas", slug=slug)
    return render(request, "communities/areas.html", {
        "access": access, "community": access.community, "form": form,
        "areas": access.community.areas.all(),
    })


@login_required
def categories(request, slug):
    access = require_coordinator(request, slug)
    community = access.community
    form = CategoryForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_category(community, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Category added."))
            return redirect("communities:categories", slug=slug)
    tops = (Category.objects.filter(community=community, parent__isnull=True)
            .prefetch_related("children"))
    return render(request, "communities/categories.html",
                  {"access": access, "community": community, "form": form, "tops": tops})


def _category_in(access, pk):
    return get_object_or_404(Category.objects.select_related("parent", "community"), pk=pk,
                             community=access.community)


@login_required
def rename_category(request, slug, pk):
    access = require_coordinator(request, slug)
    category = _category_in(access, pk)
    form = RenameCategoryForm(request.POST or None, initial={"name": category.name}, category=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_category(category, actor=request.user, name=form.cleaned_data["name"],
                                     translations=form.translations())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Category renamed."))
            return redirect("communities:categories", slug=slug)
    return render(request, "communities/category_rename.html",
                  {"access": access, "community": access.community, "category": category, "form": form})


def _set_retired(request, slug, pk, retired):
    access = require_coordinator(request, slug)
    category = _category_in(access, pk)
    try:
        services.set_category_retired(category, actor=request.user, retired=retired)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Category retired.") if retired else _("Category brought back."))
    return redirect("communities:categories", slug=slug)


@login_required
@require_POST
def retire_category(request, slug, pk):
    return _set_retired(request, slug, pk, retired=True)


@login_required
@require_POST
def restore_category(request, slug, pk):
    return _set_retired(request, slug, pk, retired=False)
