"""Who may see and fill in an organisation's co-production self-assessment."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from coproduce.members.permissions import access_for
from coproduce.partners.models import Organisation


def may_assess(user, organisation: Organisation) -> bool:
    """Site admins and the community's coordinators.

    Partner staff of the organisation belong here too: the partners work adds them when
    staff membership exists (extend this function; every view asks it).
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from coproduce.members.models import Membership, Role

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
