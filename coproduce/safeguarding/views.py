from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coproduce.members.permissions import member_in, require_coordinator
from coproduce.members.views import add_form_errors
from coproduce.safeguarding import services
from coproduce.safeguarding.forms import CheckForm, MemberPickForm, RequirementForm
from coproduce.safeguarding.models import CategoryCheckRequirement, Check


def _context(access, **extra):
    return {"access": access, "community": access.community, **extra}


@login_required
def overview(request, slug):
    """Coordinators: which categories need a check, and checks lapsing in the next 60 days."""
    access = require_coordinator(request, slug)
    pick = MemberPickForm(request.GET if "member" in request.GET else None, community=access.community)
    if pick.is_valid():
        return redirect("safeguarding:member", slug=slug, member_pk=pick.cleaned_data["member"].pk)
    form = RequirementForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_requirement(form.cleaned_data["category"], actor=request.user,
                                     check_type=form.cleaned_data["check_type"] or None)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("safeguarding:overview", slug=slug)
    requirements = (CategoryCheckRequirement.objects.filter(category__community=access.community)
                    .select_related("category__parent").order_by("category__name"))
    return render(request, "safeguarding/overview.html", _context(
        access, form=form, pick=pick, requirements=requirements,
        expiring=services.expiring_checks(access.community)[:200]))


@login_required
def member_checks(request, slug, member_pk):
    access = require_coordinator(request, slug)
    member = member_in(access, member_pk)
    form = CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_check(member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Check recorded."))
            return redirect("safeguarding:member", slug=slug, member_pk=member.pk)
    checks = Check.objects.filter(membership=member).select_related("recorded_by")
    return render(request, "safeguarding/member_checks.html", _context(access, member=member, form=form,
                                                                       checks=checks))
