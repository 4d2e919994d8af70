"""Exchanges through the API (scope "exchanges"): record one, see what waits for your answer,
confirm or decline it. Every write is the ledger's own service, with its rules and its words."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from coproduce.api import serializers
from coproduce.api.models import Scope
from coproduce.api.permissions import HasScope, membership_in
from coproduce.api.serializers import validated
from coproduce.communities.models import Category
from coproduce.ledger import queries
from coproduce.ledger import services as ledger
from coproduce.ledger.models import Transfer
from coproduce.members.models import Membership


def _as_exchange(transfer: Transfer) -> dict:
    return serializers.Exchange({
        "id": transfer.pk, "status": transfer.status, "kind": transfer.kind, "performed_on": transfer.performed_on,
        "minutes": transfer.minutes, "description": transfer.description, "category": transfer.category,
        "keyed_by": transfer.keyed_by}).data


class ExchangesView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.EXCHANGES

    @extend_schema(request=serializers.NewExchange, responses={201: serializers.Exchange},
                   summary="Record an exchange with another member")
    def post(self, request, slug):
        me = membership_in(request, slug)
        data = validated(serializers.NewExchange, request)
        other = (Membership.objects.active().filter(community=me.community, pk=data["other_member"])
                 .exclude(pk=me.pk).select_related("user").first())
        if other is None:
            raise ValidationError({"other_member": [_("There is no other active member number %(number)s here.")
                                                    % {"number": data["other_member"]}]})
        category = None
        if data["category"] is not None:
            category = Category.objects.in_use().filter(community=me.community, pk=data["category"]).first()
            if category is None:
                raise ValidationError({"category": [_("Choose one of this community's categories.")]})
        giver, receiver = (other, me) if data["direction"] == "received" else (me, other)
        transfer = ledger.record_exchange(
            community=me.community, giver=giver, receiver=receiver, minutes=data["minutes"],
            performed_on=data["performed_on"], category=category, description=data["description"],
            keyed_by=request.user, idempotency_key=f"api-{request.user.pk}-{data['idempotency_key']}")
        return Response(_as_exchange(transfer), status=status.HTTP_201_CREATED)


class PendingView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.EXCHANGES

    @extend_schema(responses=serializers.Exchange(many=True), summary="Exchanges waiting for your answer")
    def get(self, request, slug):
        me = membership_in(request, slug)
        return Response([_as_exchange(t) for t in queries.pending_for(request.user, me.community)])


class AnswerView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.EXCHANGES
    answer = None  # "confirm" or "decline"

    @extend_schema(request=None, responses=serializers.Exchange, summary="Answer an exchange someone recorded")
    def post(self, request, slug, pk):
        me = membership_in(request, slug)
        transfer = get_object_or_404(Transfer.objects.select_related("category", "keyed_by"),
                                     pk=pk, community=me.community)
        settle = ledger.confirm_exchange if self.answer == "confirm" else ledger.decline_exchange
        return Response(_as_exchange(settle(transfer, user=request.user)))
