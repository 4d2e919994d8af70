"""Who may see and do what inside a community. Views call these first.

Rules: site admins act everywhere; coordinators act in their own communities; members see
their own community; nobody sees another community's members, applications or audit log.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from coproduce.communities.languages import show_in_community_language
from coproduce.communities.models import Community
from coproduce.members.models import Membership, Role


@dataclass(frozen=True)
class Access:
    community: Community
    membership: Membership | None  # the viewer's own active membership, if any
    is_coordinator: bool  # coordinator here, or a site admin


def coordinates_anywhere(user) -> bool:
    """Whether someone is an active coordinator of any community."""
    return Membership.objects.coordinators().filter(user=user).exists()


def membership_of(user, community: Community) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.active().filter(community=community, user=user).first()


def access_for(request, slug: str) -> Access:
    """Who is looking at this community's page. Kept on the request as ``request.access``, so the
    header reads the same community and role instead of asking again."""
    membership = None
    if request.user.is_authenticated:  # a member's community comes with their membership: one query
        membership = (Membership.objects.active().select_related("community")
                      .filter(community__slug=slug, user=request.user).first())
    community = membership.community if membership is not None else get_object_or_404(Community, slug=slug)
    show_in_community_language(request, community)
    is_coordinator = bool(request.user.is_authenticated and request.user.is_superuser) or bool(
        membership and membership.role == Role.COORDINATOR
    )
    request.access = Access(community=community, membership=membership, is_coordinator=is_coordinator)
    return request.access


def require_member(request, slug: str) -> Access:
    """Members, coordinators and site admins of this community; 403 for everyone else."""
    access = access_for(request, slug)
    if access.membership is None and not access.is_coordinator:
        raise PermissionDenied(_("Only members of %(community)s can see this page.")
                               % {"community": access.community.name})
    return access


def require_coordinator(request, slug: str) -> Access:
    access = access_for(request, slug)
    if not access.is_coordinator:
        raise PermissionDenied(_("Only coordinators of %(community)s can do this.")
                               % {"community": access.community.name})
    return access


def member_in(access: Access, membership_pk: int, *, active_only: bool = True) -> Membership:
    """A membership of this community by id; 404 if it belongs to another community."""
    memberships = Membership.objects.select_related("user", "area", "community")
    if active_only:
        memberships = memberships.active()
    found = get_object_or_404(memberships, pk=membership_pk, community=access.community)
    return found


def may_act_for(access: Access, target: Membership) -> bool:
    """Coordinators act for assisted members of their own community."""
    return access.is_coordinator and target.community_id == access.community.pk and target.user.is_assisted


def require_may_act_for(access: Access, target: Membership) -> None:
    if not may_act_for(access, target):
        raise Http404
