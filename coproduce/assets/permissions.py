"""Who may see and change the directory.

Members, coordinators, site admins and active partner staff of a community see its directory
(it lists people's own groups and partners' plans, so it is not public). Coordinators change
every entry kept here; partner staff change their own organisation's entries; members suggest.
Entries mirrored from groups, opportunities and listings are changed where they live.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from coproduce.assets import queries
from coproduce.assets.models import AssetOrganisation, Service
from coproduce.partners.permissions import PartnerAccess, require_partner_viewer

require_viewer = require_partner_viewer


def may_edit(viewer: PartnerAccess, service: Service) -> bool:
    if service.kept_elsewhere:
        return False
    return viewer.is_coordinator or (
        service.organisation.partner_id is not None
        and service.organisation.partner_id in viewer.staff_of
    )


def editable_organisations(viewer: PartnerAccess):
    """The organisations this person may add entries for."""
    organisations = AssetOrganisation.objects.filter(community=viewer.community)
    if not viewer.is_coordinator:
        organisations = organisations.filter(partner_id__in=viewer.staff_of)
    return organisations.order_by("name")


def service_for_viewer(viewer: PartnerAccess, pk) -> Service:
    service = queries.service_page(viewer.community, pk)
    if service is None:
        raise Http404
    return service


def require_editor(viewer: PartnerAccess, service: Service) -> None:
    if not may_edit(viewer, service):
        raise PermissionDenied(
            _("Only coordinators and the organisation's own staff can change this entry.")
        )


def require_adder(viewer: PartnerAccess) -> None:
    if not viewer.is_coordinator and not viewer.staff_of:
        raise PermissionDenied(
            _("Only coordinators and partner staff can add entries; members can suggest one.")
        )


def require_coordinator(viewer: PartnerAccess) -> None:
    if not viewer.is_coordinator:
        raise PermissionDenied(
            _("Only coordinators of %(community)s can do this.")
            % {"community": viewer.community.name}
        )


def require_suggester(viewer: PartnerAccess) -> None:
    if viewer.membership is None:
        raise PermissionDenied(
            _("Only members of %(community)s can suggest entries.")
            % {"community": viewer.community.name}
        )
