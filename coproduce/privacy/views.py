from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.communities.models import Community
from coproduce.lib.personal_data import Basis, Purpose
from coproduce.members.permissions import member_in, require_coordinator, require_may_act_for
from coproduce.members.views import add_form_errors
from coproduce.privacy import services
from coproduce.privacy.forms import (
    CopyForMemberForm,
    EraseForMemberForm,
    EraseMeForm,
    LawfulBasesForm,
)
from coproduce.privacy.models import DataExport, ErasureRequest
from coproduce.privacy.permissions import copy_for, require_site_admin
from coproduce.privacy.registry import about_people, declarations

RECENT_COPIES = 5
REFRESH_SECONDS = 3


def _by_purpose(declared_models):
    """[(purpose, [declared, ...]), ...] in the order of ``Purpose``."""
    order = {purpose: index for index, purpose in enumerate(Purpose)}
    ordered = sorted(declared_models, key=lambda declared: order[declared.declaration.purpose])
    return [(Purpose(purpose), list(group))
            for purpose, group in groupby(ordered, key=lambda declared: declared.declaration.purpose)]


@login_required
def my_data(request):
    """What the platform holds about the person, and the copies of it they asked for."""
    copies = (DataExport.objects.defer("archive").filter(requested_by=request.user, person=request.user)
              .order_by("-requested_at")[:RECENT_COPIES])
    return render(request, "privacy/my_data.html", {"copies": copies, "held": _by_purpose(about_people()),
                                                    "erasure": services.open_erasure(request.user)})


@login_required
@require_POST
def ask_for_copy(request):
    export = services.request_copy(request.user, requested_by=request.user)
    return redirect("privacy:copy", pk=export.pk)


def _assisted_member(request, slug, pk):
    """(access, membership) for a coordinator acting for an assisted member of their community;
    403 for anyone else, 404 for a member who is not assisted."""
    access = require_coordinator(request, slug)
    target = member_in(access, pk, active_only=False)
    require_may_act_for(access, target)
    return access, target


@login_required
def copy_for_member(request, slug, pk):
    """Coordinators: ask for an assisted member's copy, saying why (kept in the audit log)."""
    access, target = _assisted_member(request, slug, pk)
    form = CopyForMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            export = services.request_copy(target.user, requested_by=request.user, community=access.community,
                                           reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("privacy:copy", pk=export.pk)
    status = 400 if form.is_bound else 200
    return render(request, "privacy/copy_for_member.html",
                  {"access": access, "community": access.community, "member": target, "form": form}, status=status)


@login_required
def copy(request, pk):
    """One copy's page: "being made" with how far it has got (checked again in place by htmx, which
    ``?auto=0`` turns off; without JavaScript "Check now"), then the download link."""
    export = copy_for(request, pk)
    context = {"copy": export, "pending": export.status == DataExport.Status.PENDING,
               "failed": export.status == DataExport.Status.FAILED, "expired": export.has_expired(),
               "refresh": REFRESH_SECONDS, "auto": request.GET.get("auto") != "0"}
    if request.headers.get("HX-Request") == "true":
        return render(request, "privacy/_copy_progress.html", context)
    return render(request, "privacy/copy.html", context)


@login_required
def download(request, pk):
    export = copy_for(request, pk, with_archive=True)
    if export.status != DataExport.Status.DONE:
        return redirect("privacy:copy", pk=pk)
    if export.has_expired():
        return render(request, "privacy/copy.html", {"copy": export, "expired": True}, status=410)
    response = HttpResponse(services.downloaded(export, by=request.user), content_type="application/zip")
    made = export.finished_at.strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="coproduce-data-{export.person_id}-{made}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def records_of_processing(request):
    """Site admins: what personal data the platform holds, why, for how long and who sees it,
    read from the models' own declarations."""
    require_site_admin(request)
    everything = declarations()
    stated: dict[str, list] = {}
    for community in Community.objects.exclude(lawful_bases={}).order_by("name").only("name", "lawful_bases"):
        for purpose, basis in sorted(community.lawful_bases.items()):
            if purpose in Purpose.values and basis in Basis.values:
                stated.setdefault(purpose, []).append((community.name, Basis(basis).label))
    return render(request, "privacy/records_of_processing.html", {
        "held": [(purpose, declared_models, stated.get(purpose.value, []))
                 for purpose, declared_models in _by_purpose([d for d in everything if d.about_people])],
        "naming": [declared for declared in everything if not declared.about_people],
        "title": _("Records of processing"),
    })


@login_required
def lawful_bases(request, slug):
    """Coordinators: the lawful basis the community states (in its privacy notice) for each purpose."""
    access = require_coordinator(request, slug)
    form = LawfulBasesForm(request.POST if request.method == "POST" else None, community=access.community)
    if request.method == "POST" and form.is_valid():
        services.state_lawful_bases(access.community, actor=request.user, bases=form.bases())
        messages.success(request, _("The lawful bases are saved."))
        return redirect("privacy:lawful_bases", slug=slug)
    return render(request, "privacy/lawful_bases.html", {"access": access, "community": access.community,
                                                         "form": form}, status=400 if form.is_bound else 200)


@login_required
def erase_me(request):
    """What erasure does, and the request to be erased (after the cooling-off period)."""
    waiting = services.open_erasure(request.user)
    if waiting is not None:
        return redirect("privacy:my_data")
    form = EraseMeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        erasure = services.request_erasure(request.user, requested_by=request.user)
        messages.success(request, _("Your request to be erased is recorded. You can cancel it until %(date)s.")
                         % {"date": date_format(timezone.localtime(erasure.erasable_from), "j F Y")})
        return redirect("privacy:my_data")
    return render(request, "privacy/erase_me.html", {"form": form, "days": services.cooling_off_days(request.user)},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def cancel_erasure(request, pk):
    erasure = get_object_or_404(ErasureRequest.objects.select_related("person"), pk=pk)
    if not services.may_cancel(erasure, request.user):
        raise Http404
    services.cancel_erasure(erasure, by=request.user)
    messages.success(request, _("The request to be erased is cancelled."))
    if erasure.person_id == request.user.pk:
        return redirect("privacy:my_data")
    return redirect("members:my_communities")


@login_required
def erasures(request, slug):
    """Coordinators: the requests to be erased of this community's people, and the confirmation."""
    access = require_coordinator(request, slug)
    requests = services.erasures_for(access.community)[:100]
    return render(request, "privacy/erasures.html", {"access": access, "community": access.community,
                                                     "requests": requests, "now": timezone.now()})


@login_required
@require_POST
def confirm_erasure(request, slug, pk):
    access = require_coordinator(request, slug)
    erasure = get_object_or_404(services.erasures_for(access.community), pk=pk)
    try:
        services.confirm_erasure(erasure, coordinator=request.user, community=access.community)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is being erased.") % {"name": erasure.person.name})
    return redirect("privacy:erasures", slug=slug)


@login_required
def erase_member(request, slug, pk):
    """Coordinators: ask for an assisted member to be erased, saying why (kept in the audit log)."""
    access, target = _assisted_member(request, slug, pk)
    form = EraseForMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_erasure(target.user, requested_by=request.user, community=access.community,
                                     reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("The request to erase %(name)s is recorded.") % {"name": target.user.name})
            return redirect("privacy:erasures", slug=slug)
    return render(request, "privacy/erase_member.html",
                  {"access": access, "community": access.community, "member": target, "form": form,
                   "days": services.cooling_off_days(target.user), "waiting": services.open_erasure(target.user)},
                  status=400 if form.is_bound else 200)
