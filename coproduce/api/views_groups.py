"""Peer-support groups through the API: the groups and their coming sessions as the groups pages
show them (scope "read"); joining a group and booking or giving up a place (scope "posts": like
posting an offer, it is the member taking part themselves, and moves no credits); and a session's
register (scope "partner": the group's leads, who may credit facilitators). The groups' own
services decide, with their rules and their words."""

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
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
from coproduce.api.permissions import HasScope, membership_in
from coproduce.api.serializers import validated
from coproduce.groups import services
from coproduce.groups.models import Booking, Group, GroupMember, Session
from coproduce.members.models import Membership
from coproduce.partners.permissions import require_partner_viewer

PAGE = [OpenApiParameter("page", OpenApiTypes.INT, required=False)]


class GroupPages(PageNumberPagination):
    page_size = 20


def _session_in(community, pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("group__community", "group__organisation", "series"),
                             pk=pk, group__community=community)


def _as_session(session: Session, *, insider: bool) -> dict:
    """A session as the group's page lists it; its online link only for the group's members and
    leads (the session's own page, which shows it, is theirs only)."""
    return {"id": session.pk, "group_id": session.group_id, "starts_at": session.starts_at,
            "ends_at": session.ends_at, "place": session.place, "online": bool(session.online_link),
            "online_link": session.online_link if insider else None,
            "repeats": session.series.frequency if session.series_id else None, "status": session.status,
            "my_booking": session.my_booking}


class GroupsView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.READ

    @extend_schema(parameters=PAGE, responses=serializers.GroupPage,
                   summary="The community's peer-support groups (as the groups page), with your place in each")
    def get(self, request, slug):
        me = membership_in(request, slug)
        mine = GroupMember.objects.filter(group=OuterRef("pk"), membership=me)
        groups = (Group.objects.filter(community=me.community).select_related("organisation")
                  .annotate(my_status=Subquery(mine.values("status")[:1]), my_role=Subquery(mine.values("role")[:1]))
                  .order_by("name", "pk"))
        pages = GroupPages()
        page = pages.paginate_queryset(groups, request, view=self)
        return pages.get_paginated_response(serializers.Group(page, many=True).data)


class GroupSessionsView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.READ

    @extend_schema(parameters=PAGE, responses=serializers.GroupSessionPage,
                   summary="A group's coming sessions, soonest first (cancelled ones too, as the group's page), "
                           "with your booking")
    def get(self, request, slug, pk):
        me = membership_in(request, slug)
        group = get_object_or_404(Group.objects.select_related("community", "organisation"), pk=pk,
                                  community=me.community)
        insider = _insider(request, me, group)
        mine = Booking.objects.filter(session=OuterRef("pk"), membership=me).values("status")[:1]
        sessions = (group.sessions.filter(ends_at__gte=timezone.now()).select_related("series")
                    .annotate(my_booking=Subquery(mine)).order_by("starts_at", "pk"))
        pages = GroupPages()
        page = pages.paginate_queryset(sessions, request, view=self)
        return pages.get_paginated_response(
            serializers.GroupSession([_as_session(s, insider=insider) for s in page], many=True).data)


class JoinView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.POSTS

    @extend_schema(request=None, responses=serializers.GroupPlace,
                   summary="Join an open group, ask to join one by request, or accept an invitation (scope "
                           "\"posts\")")
    def post(self, request, slug, pk):
        me = membership_in(request, slug)
        group = get_object_or_404(Group.objects.select_related("community"), pk=pk, community=me.community)
        place = services.join_group(group, membership=me)
        return Response(serializers.GroupPlace(place).data)


def _insider(request, me: Membership, group: Group) -> bool:
    """In the group, or one of its leads: those who see a session's page, and so its online link."""
    return services.active_place(group, me) is not None or services.may_lead(request.user, group)


def _session_answer(request, me: Membership, session_pk: int) -> dict:
    session = _session_in(me.community, session_pk)
    session.my_booking = Booking.objects.filter(session=session, membership=me).values_list(
        "status", flat=True).first()
    return serializers.GroupSession(_as_session(session, insider=_insider(request, me, session.group))).data


class BookView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.POSTS

    @extend_schema(request=None, responses=serializers.GroupSession,
                   summary="Book a place on a session of a group you are in, or join its waiting list when it is "
                           "full (scope \"posts\")")
    def post(self, request, slug, pk):
        me = membership_in(request, slug)
        services.book(_session_in(me.community, pk), membership=me)
        return Response(_session_answer(request, me, pk))


class UnbookView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.POSTS

    @extend_schema(request=None, responses=serializers.GroupSession,
                   summary="Give up your place on a session; the first person waiting takes it (scope \"posts\")")
    def post(self, request, slug, pk):
        me = membership_in(request, slug)
        services.cancel_booking(_session_in(me.community, pk), membership=me)
        return Response(_session_answer(request, me, pk))


class RegisterView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.PARTNER

    @extend_schema(request=serializers.Register, responses={201: serializers.RegisterTaken},
                   summary="Take a session's register (scope \"partner\"): the group's facilitators, its host's "
                           "staff and coordinators, as the register page; credits the leads who came")
    def post(self, request, slug, pk):
        partner = require_partner_viewer(request, slug)
        session = _session_in(partner.community, pk)
        if not services.may_lead(request.user, session.group):
            raise PermissionDenied(_("Only the group's facilitators and coordinators can do this."))
        given = validated(serializers.Register, request)
        numbers = set(given["present"])
        present = list(Membership.objects.filter(community=partner.community, pk__in=numbers).select_related("user"))
        if len(present) != len(numbers):
            raise ValidationError({"present": [_("Choose people from the group.")]})
        transfer = services.record_attendance(
            session, actor=request.user, present=present,
            idempotency_key=f"api-{request.user.pk}-{given['idempotency_key']}")
        return Response(serializers.RegisterTaken({
            "session": session.pk, "present": len(present), "transfer": transfer.pk if transfer else None,
            "transfer_status": transfer.status if transfer else None}).data, status=status.HTTP_201_CREATED)
