from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.audit.models import AuditEntry
from coproduce.audit.runs import recent_runs
from coproduce.lib.inputs import search_text
from coproduce.lib.paging import CountedPaginator
from coproduce.members import availability, services
from coproduce.members.counts import active_members
from coproduce.members.forms import (
    ApplicationForm,
    AssistedMemberForm,
    DeclineForm,
    DemographicsForm,
    InterviewNotesForm,
    ProfileForm,
    RoleForm,
)
from coproduce.members.models import Application, ApplicationStatus, Demographics, Membership
from coproduce.members.permissions import (
    access_for,
    member_in,
    require_coordinator,
    require_may_act_for,
    require_member,
)
from coproduce.members.queries import pending_applications

DIRECTORY_PAGE_SIZE = 25


def add_form_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, next to the field it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def apply(request, slug):
    access = access_for(request, slug)
    community = access.community
    if access.membership:
        messages.info(request, _("You are already a member of %(community)s.") % {"community": community.name})
        return redirect("members:directory", slug=slug)
    pending = Application.objects.filter(community=community, user=request.user,
                                         status=ApplicationStatus.PENDING).first()
    form = ApplicationForm(request.POST or None, community=community)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            services.apply_to_community(user=request.user, community=community, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Thank you. A coordinator will contact you soon."))
            return redirect("members:my_communities")
    return render(request, "members/apply.html", {"community": community, "form": form, "pending": pending})


@login_required
def my_communities(request):
    memberships = Membership.objects.active().filter(user=request.user).select_related("community")
    applications = Application.objects.filter(user=request.user).select_related("community").order_by("-created_at")
    return render(request, "members/my_communities.html",
                  {"memberships": memberships, "applications": applications})


@login_required
def directory(request, slug):
    access = require_member(request, slug)
    query = search_text(request.GET.get("q", ""))
    members = Membership.objects.filter(community=access.community).for_directory()
    if query:
        members = members.filter(
            Q(user__name__icontains=query) | Q(skills__name__icontains=query)
            | Q(skills_text__icontains=query) | Q(area__name__icontains=query)
        ).distinct()
    if query:
        paginator = Paginator(members, DIRECTORY_PAGE_SIZE)
    else:  # everyone: the kept count, not a count of 100,000 memberships at every look (issue 19)
        paginator = CountedPaginator(members, DIRECTORY_PAGE_SIZE, count=active_members(access.community))
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "members/directory.html", {"access": access, "community": access.community,
                                                      "page": page, "query": query})


LOOKUP_LIMIT = 12


@login_required
def member_lookup(request, slug):
    """Name suggestions for the member fields (an htmx partial of <option>s for a datalist).

    htmx sends the typing under the field's own name, so take the first value given.
    """
    access = require_member(request, slug)
    query = search_text(next((value for value in request.GET.values() if value.strip()), ""))
    members = Membership.objects.none()
    if len(query) >= 2:
        members = (Membership.objects.active().filter(community=access.community, user__name__icontains=query)
                   .select_related("user", "area").order_by("user__name", "pk")[:LOOKUP_LIMIT])
    return render(request, "members/lookup_options.html", {"members": members})


@login_required
def profile(request, slug, pk):
    access = require_member(request, slug)
    membership = member_in(access, pk)
    is_self = membership.user_id == request.user.pk
    acted_for = None
    if access.is_coordinator or is_self:
        acted_for = (AuditEntry.objects.filter(on_behalf_of=membership.user, community=access.community)
                     .select_related("actor")[:50])
    context = {
        "access": access, "community": access.community, "member": membership,
        "skills": membership.skills.select_related("parent"),
        "availability": availability.describe(membership.availability),
        "is_self": is_self,
        "acted_for": acted_for,
        "demographics": Demographics.objects.filter(user=membership.user).first() if access.is_coordinator else None,
        "role_form": RoleForm(initial={"role": membership.role}) if access.is_coordinator else None,
    }
    return render(request, "members/profile.html", context)


def _edit_profile(request, access, membership):
    community = access.community
    form = ProfileForm(request.POST or None, community=community,
                       initial=None if request.POST else ProfileForm.initial_for(membership))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(membership, actor=request.user, **form.service_arguments())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("members:profile", slug=community.slug, pk=membership.pk)
    return render(request, "members/profile_edit.html",
                  {"access": access, "community": community, "member": membership, "form": form})


@login_required
def edit_own_profile(request, slug):
    access = require_member(request, slug)
    if access.membership is None:
        return redirect("members:directory", slug=slug)
    return _edit_profile(request, access, access.membership)


@login_required
def edit_profile_for(request, slug, pk):
    access = require_coordinator(request, slug)
    membership = member_in(access, pk)
    require_may_act_for(access, membership)
    return _edit_profile(request, access, membership)


@login_required
@require_POST
def change_role(request, slug, pk):
    access = require_coordinator(request, slug)
    membership = member_in(access, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(membership, actor=request.user, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is now a %(role)s.")
                             % {"name": membership.user.name, "role": membership.get_role_display()})
    else:
        messages.error(request, _("Choose member, coordinator or partner staff."))
    return redirect("members:profile", slug=slug, pk=pk)


@login_required
def leave(request, slug):
    access = require_member(request, slug)
    if access.membership is None:
        return redirect("communities:home", slug=slug)
    if request.method == "POST":
        try:
            services.leave_community(access.membership, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You have left %(community)s.") % {"community": access.community.name})
            return redirect("members:my_communities")
    return render(request, "members/leave.html", {"access": access, "community": access.community})


@login_required
def coordinator_dashboard(request, slug):
    access = require_coordinator(request, slug)
    community = access.community
    pending = pending_applications(community)[:50]
    assisted = (Membership.objects.active().filter(community=community, user__is_assisted=True)
                .select_related("user", "area").order_by("user__name")[:50])
    recent = recent_runs(community)  # runs of one person's same action read as one line
    counts = {
        "members": active_members(community),
        "pending": pending_applications(community).count(),
    }
    return render(request, "members/coordinator_dashboard.html", {
        "access": access, "community": community, "pending": pending, "assisted": assisted,
        "recent": recent, "counts": counts,
    })


def _application_in(access, pk):
    return get_object_or_404(Application.objects.select_related("user", "area", "decided_by"),
                             pk=pk, community=access.community)


@login_required
def application_detail(request, slug, pk):
    access = require_coordinator(request, slug)
    application = _application_in(access, pk)
    return render(request, "members/application_detail.html", {
        "access": access, "community": access.community, "application": application,
        "notes_form": InterviewNotesForm(initial={"notes": application.interview_notes}),
        "decline_form": DeclineForm(),
    })


@login_required
@require_POST
def application_notes(request, slug, pk):
    access = require_coordinator(request, slug)
    application = _application_in(access, pk)
    form = InterviewNotesForm(request.POST)
    if form.is_valid():
        services.add_interview_notes(application, actor=request.user, notes=form.cleaned_data["notes"])
        messages.success(request, _("Notes saved."))
        return redirect("members:application", slug=slug, pk=pk)
    return render(request, "members/application_detail.html", {
        "access": access, "community": access.community, "application": application,
        "notes_form": form, "decline_form": DeclineForm()}, status=400)


@login_required
@require_POST
def application_approve(request, slug, pk):
    access = require_coordinator(request, slug)
    application = _application_in(access, pk)
    try:
        membership = services.approve_application(application, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("members:application", slug=slug, pk=pk)
    messages.success(request, _("%(name)s is now a member.") % {"name": membership.user.name})
    return redirect("members:coordinate", slug=slug)


@login_required
@require_POST
def application_decline(request, slug, pk):
    access = require_coordinator(request, slug)
    application = _application_in(access, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.decline_application(application, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("members:application", slug=slug, pk=pk)
        messages.success(request, _("Application declined; %(name)s has been told.") % {"name": application.user.name})
        return redirect("members:coordinate", slug=slug)
    return render(request, "members/application_detail.html", {
        "access": access, "community": access.community, "application": application,
        "notes_form": InterviewNotesForm(initial={"notes": application.interview_notes}),
        "decline_form": form}, status=400)


@login_required
def register_assisted(request, slug):
    access = require_coordinator(request, slug)
    form = AssistedMemberForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.register_assisted_member(community=access.community, actor=request.user,
                                                           **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("%(name)s is registered. You can now act for them.")
                             % {"name": membership.user.name})
            return redirect("members:profile", slug=slug, pk=membership.pk)
    return render(request, "members/register_assisted.html",
                  {"access": access, "community": access.community, "form": form})


@login_required
def audit_log(request, slug):
    access = require_coordinator(request, slug)
    entries = AuditEntry.objects.filter(community=access.community).select_related("actor", "on_behalf_of")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "members/audit_log.html", {"access": access, "community": access.community, "page": page})


@login_required
def demographics(request):
    current = Demographics.objects.filter(user=request.user).first()
    initial = {}
    if current:
        initial = {"age_band": current.age_band, "gender": current.gender, "is_carer": current.is_carer,
                   "has_disability": current.has_disability, "consent": True}
    form = DemographicsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_demographics(request.user, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Thank you. Your details are saved."))
            return redirect("members:demographics")
    return render(request, "members/demographics.html", {"form": form, "current": current})


@login_required
@require_POST
def withdraw_demographics(request):
    services.withdraw_demographics(request.user, actor=request.user)
    messages.success(request, _("Your consent is withdrawn and those details are deleted."))
    return redirect("members:demographics")
