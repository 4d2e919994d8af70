"""Who may see and run a partner organisation's pages.

Members, coordinators, site admins and the active staff of any organisation in the community
see organisations and their opportunities. An organisation's own active staff, its
community's coordinators and site admins manage it. Staff who have left lose all of this.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from coproduce.ledger import services as ledger
from coproduce.members.permissions import Access, access_for
from coproduce.partners.models import Organisation, Staff


@dataclass(frozen=True)
class PartnerAccess:
    access: Access
    staff_of: frozenset[int]  # organisation ids where the viewer is active staff

    @property
    def community(self):
        return self.access.community

    @property
    def is_coordinator(self) -> bool:
        return self.access.is_coordinator

    @property
    def membership(self):
        return self.access.membership

    def manages(self, organisation: Organisation) -> bool:
        return self.access.is_coordinator or organisation.pk in self.staff_of

    def context(self, **extra) -> dict:
        """Template context every partner, group and referral page starts from."""
        return {"access": self.access, "community": self.community, "partner": self, **extra}


def staff_organisation_ids(user, community) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        Staff.objects.active()
        .filter(user=user, organisation__community=community)
        .values_list("organisation_id", flat=True)
    )


def is_active_staff(user, organisation: Organisation) -> bool:
    return bool(
        user.is_authenticated
        and Staff.objects.active().filter(user=user, organisation=organisation).exists()
    )


def manager_authority(user, organisation: Organisation) -> str:
    """What ``user`` acts as for the organisation ("staff of ..."; "" for a coordinator), for the
    ledger's audit; a ValidationError for anyone else (services call this)."""
    if is_active_staff(user, organisation):
        return _("staff of %(organisation)s") % {"organisation": organisation.name}
    if ledger.is_coordinator(user, organisation.community):
        return ""
    raise ValidationError(_("Only %(organisation)s's own staff and coordinators can do this.")
                          % {"organisation": organisation.name})


def require_partner_viewer(request, slug: str) -> PartnerAccess:
    """Members, coordinators, site admins and active partner staff of this community; 403 otherwise."""
    access = access_for(request, slug)
    partner = PartnerAccess(access, staff_organisation_ids(request.user, access.community))
    if access.membership is None and not access.is_coordinator and not partner.staff_of:
        raise PermissionDenied(
            _("Only members and partners of %(community)s can see this page.")
            % {"community": access.community.name}
        )
    return partner


def organisation_in(partner: PartnerAccess, pk: int) -> Organisation:
    """An organisation of this community by id; 404 if it belongs to another community."""
    return get_object_or_404(
        Organisation.objects.select_related("area", "community"), pk=pk, community=partner.community
    )


def require_manager(request, slug: str, pk: int) -> tuple[PartnerAccess, Organisation]:
    """(access, organisation) for its active staff, coordinators and site admins; 403 otherwise."""
    partner = require_partner_viewer(request, slug)
    organisation = organisation_in(partner, pk)
    if not partner.manages(organisation):
        raise PermissionDenied(
            _("Only %(organisation)s's own staff and coordinators can do this.")
            % {"organisation": organisation.name}
        )
    return partner, organisation
