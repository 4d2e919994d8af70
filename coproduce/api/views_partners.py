"""What a partner organisation's system does through the API (scope "partner"), for the people the
partner pages let do it: the organisation's active staff and the community's coordinators
(``partners.permissions.require_manager``). Its open opportunities, posting one, who signed up,
confirming attendance (which credits people from the organisation's account, through the partner
services and so the ledger's rules), and its referrals: those its staff made, as the referrals
page shows them to each person, and making one (staff only, as the page)."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from coproduce.api import serializers
from coproduce.api.models import Scope
from coproduce.api.permissions import HasScope
from coproduce.api.serializers import validated
from coproduce.assets.models import Service
from coproduce.groups.models import Group
from coproduce.members.models import Membership
from coproduce.partners import services
from coproduce.partners.models import Opportunity, OpportunityStatus
from coproduce.partners.permissions import require_manager, require_partner_viewer
from coproduce.referrals import queries as referral_queries
from coproduce.referrals import services as referral_services

PAGE = [OpenApiParameter("page", OpenApiTypes.INT, required=False)]


class PartnerPages(PageNumberPagination):
    page_size = 50


class PartnerView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.PARTNER


def _key(request, given: str) -> str:
    """The client's idempotency key, kept apart per person (as for exchanges)."""
    return f"api-{request.user.pk}-{given}"


def _opportunity_managed(request, slug, pk) -> tuple:
    """(partner access, opportunity) for its organisation's staff and coordinators, as the attendance
    page checks; 404 for another community's, 403 for anyone else."""
    partner = require_partner_viewer(request, slug)
    opportunity = get_object_or_404(Opportunity.objects.select_related("organisation__community"), pk=pk,
                                    organisation__community=partner.community)
    if not partner.manages(opportunity.organisation):
        raise PermissionDenied(_("Only the organisation's staff and coordinators can confirm attendance."))
    return partner, opportunity


def _with_count(opportunities):
    return opportunities.annotate(signed_up=Count("signups"))


class OpportunitiesView(PartnerView):
    @extend_schema(parameters=PAGE, responses=serializers.OpportunityPage,
                   summary="The organisation's open opportunities (its staff and coordinators)")
    def get(self, request, slug, pk):
        _partner, organisation = require_manager(request, slug, pk)
        opportunities = _with_count(organisation.opportunities.filter(status=OpportunityStatus.OPEN)
                                    .order_by("starts_on", "pk"))
        pages = PartnerPages()
        page = pages.paginate_queryset(opportunities, request, view=self)
        return pages.get_paginated_response(serializers.Opportunity(page, many=True).data)

    @extend_schema(request=serializers.NewOpportunity, responses={201: serializers.Opportunity},
                   summary="Post an opportunity for the organisation (its staff and coordinators)")
    def post(self, request, slug, pk):
        _partner, organisation = require_manager(request, slug, pk)
        given = validated(serializers.NewOpportunity, request)
        opportunity = services.post_opportunity(organisation, actor=request.user, **given)
        opportunity = _with_count(Opportunity.objects.filter(pk=opportunity.pk)).get()
        return Response(serializers.Opportunity(opportunity).data, status=status.HTTP_201_CREATED)


class SignupsView(PartnerView):
    @extend_schema(parameters=PAGE, responses=serializers.SignupPage,
                   summary="Who signed up for an opportunity, and whose time is confirmed (its organisation's "
                           "staff and coordinators)")
    def get(self, request, slug, pk):
        _partner, opportunity = _opportunity_managed(request, slug, pk)
        signups = opportunity.signups.select_related("membership__user", "transfer").order_by(
            "membership__user__name", "pk")
        pages = PartnerPages()
        page = pages.paginate_queryset(signups, request, view=self)
        return pages.get_paginated_response(serializers.Signup(page, many=True).data)


def _recorded(transfer, credited, skipped=(), repeated=False) -> dict:
    return serializers.AttendanceRecorded({
        "transfer": transfer.pk if transfer else None, "transfer_status": transfer.status if transfer else None,
        "credited": [m.pk for m in credited],
        "skipped": [{"member": m.pk, "name": m.user.name, "reason": str(why)} for m, why in skipped],
        "repeated": repeated}).data


class AttendanceView(PartnerView):
    @extend_schema(request=serializers.Attendance, responses={201: serializers.AttendanceRecorded},
                   summary="Confirm who came and for how long: credits each from the organisation's account "
                           "(its staff and coordinators, as the attendance page)")
    def post(self, request, slug, pk):
        _partner, opportunity = _opportunity_managed(request, slug, pk)
        data = validated(serializers.Attendance, request)
        numbers = [line["member"] for line in data["attended"]]
        signed_up = {s.membership_id: s.membership for s in
                     opportunity.signups.filter(membership_id__in=numbers).select_related("membership__user")}
        strangers = sorted(set(numbers) - set(signed_up))
        if strangers:
            raise ValidationError({"attended": [_("Not signed up for %(title)s: member %(numbers)s.")
                                                % {"title": opportunity.title,
                                                   "numbers": ", ".join(map(str, strangers))}]})
        attended = [(signed_up[line["member"]], line["minutes"]) for line in data["attended"]]
        transfer = services.confirm_attendance(opportunity, actor=request.user, attended=attended,
                                               performed_on=data["performed_on"],
                                               idempotency_key=_key(request, data["idempotency_key"]))
        credited = [m for m, _minutes in attended]
        return Response(_recorded(transfer, credited), status=status.HTTP_201_CREATED)


class EveryoneCameView(PartnerView):
    @extend_schema(request=serializers.EveryoneCame, responses={201: serializers.AttendanceRecorded},
                   summary="Everyone who signed up came: credits each the expected time (its organisation's "
                           "staff and coordinators); who is skipped, and why")
    def post(self, request, slug, pk):
        _partner, opportunity = _opportunity_managed(request, slug, pk)
        given = validated(serializers.EveryoneCame, request)
        result = services.confirm_everyone_came(
            opportunity, actor=request.user, performed_on=given["performed_on"],
            idempotency_key=_key(request, given["idempotency_key"]))
        return Response(_recorded(result.transfer, result.credited, result.skipped, result.repeated),
                        status=status.HTTP_201_CREATED)


class ReferralsView(PartnerView):
    @extend_schema(parameters=PAGE, responses=serializers.ReferralPage,
                   summary="The organisation's referrals you may see, newest first: those you made (staff), all of "
                           "them (coordinators), as the referrals page")
    def get(self, request, slug, pk):
        partner, organisation = require_manager(request, slug, pk)
        referrals = referral_queries.visible_to(request.user, partner.community, is_coordinator=partner.is_coordinator,
                                                staff_of=partner.staff_of).filter(organisation=organisation)
        pages = PartnerPages()
        page = pages.paginate_queryset(referrals.order_by("-created_at", "-pk"), request, view=self)
        return pages.get_paginated_response(serializers.Referral(page, many=True).data)

    @extend_schema(request=serializers.NewReferral, responses={201: serializers.Referral},
                   summary="Refer someone on the organisation's behalf, with their consent (its active staff only, "
                           "as the referral page)")
    def post(self, request, slug, pk):
        partner, organisation = require_manager(request, slug, pk)
        if organisation.pk not in partner.staff_of:
            raise PermissionDenied(_("Only partner staff can make referrals."))
        data = validated(serializers.NewReferral, request)
        membership = group = service = None
        if data["member"] is not None:
            membership = (Membership.objects.active().filter(community=partner.community, pk=data["member"])
                          .select_related("user").first())
            if membership is None:
                raise ValidationError({"member": [_("Choose an active member of this community.")]})
        if data["group"] is not None:
            group = Group.objects.filter(community=partner.community, pk=data["group"]).first()
            if group is None:
                raise ValidationError({"group": [_("Choose one of this community's groups.")]})
        if data["service"] is not None:
            service = Service.objects.listed().filter(community=partner.community, pk=data["service"]).first()
            if service is None:
                raise ValidationError({"service": [_("Choose a service listed in this community's directory.")]})
        referral = referral_services.make_referral(
            organisation, actor=request.user, reason=data["reason"], consent=data["consent"], note=data["note"],
            membership=membership, name=data["name"], contact=data["contact"], group=group, service=service)
        referral = referral_queries.visible_to(request.user, partner.community, is_coordinator=partner.is_coordinator,
                                               staff_of=partner.staff_of).get(pk=referral.pk)
        return Response(serializers.Referral(referral).data, status=status.HTTP_201_CREATED)
