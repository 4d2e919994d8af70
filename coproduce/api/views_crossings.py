"""Exchanges with members of linked time banks through the API (scope "exchanges"): the linked
banks, your crossings, and recording help you received from a member of one (you pay). The
federation app's own service books it and sends it to the other bank."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from coproduce.api.models import Scope
from coproduce.api.permissions import HasScope, membership_in
from coproduce.api.serializers import validated
from coproduce.federation import services
from coproduce.federation.models import Crossing, Link

CROSSINGS_SHOWN = 50


class LinkedBank(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CrossingOut(serializers.Serializer):
    uuid = serializers.UUIDField()
    state = serializers.CharField(help_text="pending (waiting for the other bank), completed or refused")
    bank = serializers.CharField(source="link.name")
    their_member = serializers.IntegerField(help_text="Their member number at their bank.")
    their_name = serializers.CharField(allow_blank=True)
    you_paid = serializers.BooleanField(source="member_pays")
    minutes = serializers.IntegerField()
    performed_on = serializers.DateField()
    description = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True, help_text="Why it was refused.")


class NewCrossing(serializers.Serializer):
    """Help you received from a member of a linked bank: you pay, their bank credits them."""

    bank = serializers.IntegerField(help_text="One of the linked banks (its id, from the list).")
    their_member = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    minutes = serializers.IntegerField()
    performed_on = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    uuid = serializers.UUIDField(help_text="Your own UUID for it: sending it again records nothing new.")


class CrossingsView(APIView):
    permission_classes = [HasScope]

    @property
    def required_scope(self):
        return Scope.EXCHANGES if self.request.method == "POST" else Scope.READ

    @extend_schema(responses=CrossingOut(many=True), summary="Your exchanges with linked time banks, newest first")
    def get(self, request, slug):
        me = membership_in(request, slug)
        rows = Crossing.objects.filter(member=me).select_related("link").order_by("-created_at")[:CROSSINGS_SHOWN]
        return Response(CrossingOut(rows, many=True).data)

    @extend_schema(request=NewCrossing, responses={201: CrossingOut},
                   summary="Record help you received from a member of a linked time bank")
    def post(self, request, slug):
        me = membership_in(request, slug)
        data = validated(NewCrossing, request)
        link = services.linked_bank(me.community, data["bank"])
        if link is None:
            raise ValidationError({"bank": [_("Choose one of the banks this community is linked to.")]})
        crossing = services.start_crossing(
            link, member=me, their_member=data["their_member"], minutes=data["minutes"],
            performed_on=data["performed_on"], description=data["description"], keyed_by=request.user,
            uuid=data["uuid"])
        crossing.refresh_from_db(fields=["state", "their_name", "reason"])  # as delivery left it
        return Response(CrossingOut(crossing).data, status=status.HTTP_201_CREATED)


class LinkedBanksView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.READ

    @extend_schema(responses=LinkedBank(many=True), summary="The time banks this community is linked to")
    def get(self, request, slug):
        me = membership_in(request, slug)
        return Response(LinkedBank(Link.objects.filter(community=me.community, active=True).order_by("name"),
                                   many=True).data)
