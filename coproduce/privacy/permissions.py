"""Who may see a copy of someone's data: only whoever asked for it. A coordinator who asked for an
assisted member's copy loses it when they stop coordinating that community."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from coproduce.members.models import Membership
from coproduce.privacy.models import DataExport


def copy_for(request, pk: int, *, with_archive: bool = False) -> DataExport:
    """The copy ``pk`` if the viewer asked for it (404 for anyone else, so its existence is not told)."""
    copies = DataExport.objects.select_related("person", "community")
    if not with_archive:
        copies = copies.defer("archive")
    export = get_object_or_404(copies, pk=pk, requested_by=request.user)
    if export.person_id != request.user.pk and not request.user.is_superuser:
        still_coordinates = Membership.objects.coordinators().filter(
            user=request.user, community_id=export.community_id).exists()
        if not still_coordinates:
            raise PermissionDenied(_("Only the community's coordinators can see a copy of a member's data."))
    return export


def require_site_admin(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only site admins can see this page."))
