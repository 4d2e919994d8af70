"""What a token may do: its scopes, and (for community endpoints) its person's membership."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from coproduce.communities.models import Community
from coproduce.members.models import Membership


class HasScope(BasePermission):
    """The view's ``required_scope`` is among the token's scopes."""

    def has_permission(self, request, view):
        token = request.auth
        needed = getattr(view, "required_scope", None)
        if token is None or needed is None or needed not in token.scopes:
            self.message = _("This token may not do that: make one with the \"%(scope)s\" scope.") % {
                "scope": needed}
            return False
        return True


def membership_in(request, slug: str) -> Membership:
    """The token's person's active membership of the community; 404 for no such community, 403
    for one they are not an active member of. One query for a member (every call of the API)."""
    membership = (Membership.objects.active().filter(community__slug=slug, user=request.user)
                  .select_related("community", "user").first())
    if membership is None:
        community = get_object_or_404(Community, slug=slug)
        raise PermissionDenied(_("You are not a member of %(community)s.") % {"community": community.name})
    return membership
