"""Who may see and fill in an organisation's co-production self-assessment."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from coproduce.members.permissions import access_for
from coproduce.partners.models import Organisation


def may_assess(user, organisation: Organisation) -> bool:
    """Site admins, the community's coordinators and the organisation's active staff."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from coproduce.members.models import Membership, Role
    from coproduce.partners.permissions import is_active_staff

    if is_active_staff(user, organisation):
        return True

    return Membership.objects.active().filter(user=user, community_id=organisation.community_id,
                                              role=Role.COORDINATOR).exists()


def require_may_assess(request, slug: str, organisation_pk: int):
    """(access, organisation) for someone allowed to assess it; 403 otherwise, 404 for another community's."""
    access = access_for(request, slug)
    organisation = get_object_or_404(Organisation, pk=organisation_pk, community=access.community)
    if not may_assess(request.user, organisation):
        raise PermissionDenied(_("Only %(organisation)s's own staff and coordinators can see this.")
                               % {"organisation": organisation.name})
    return access, organisation
