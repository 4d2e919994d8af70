"""JSON API v1: what a member app needs, each view a thin layer over the same queries and services
as the pages, with the same rules (a member sees only their own account in their own community)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from coproduce.api import serializers
from coproduce.api.models import Scope
from coproduce.api.permissions import HasScope, membership_in
from coproduce.ledger import queries
from coproduce.ledger.models import Account, AccountKind, Entry
from coproduce.members.models import Membership


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request):
    raise NotFound(_("No such address in the API: see /api/v1/docs/."))


class ReadView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.READ


class MeView(ReadView):
    @extend_schema(responses=serializers.Me, summary="Who the token acts for, and their communities")
    def get(self, request):
        user = request.user
        memberships = Membership.objects.active().filter(user=user).select_related("community").order_by(
            "community__name")
        return Response(serializers.Me({"id": user.pk, "name": user.name, "email": user.email,
                                        "communities": memberships}).data)


def _account(membership: Membership) -> Account:
    """The member's account, read (never made) by a GET: an unsaved one at 0 before their first exchange."""
    account = (Account.objects.filter(membership=membership, kind=AccountKind.MEMBER)
               .select_related("community").first())
    if account is None:
        account = Account(community=membership.community, kind=AccountKind.MEMBER, membership=membership, balance=0)
    return account


class BalanceView(ReadView):
    @extend_schema(responses=serializers.Balance, summary="Your balance in one community")
    def get(self, request, slug):
        account = _account(membership_in(request, slug))
        return Response(serializers.Balance({"community": slug, "minutes": account.balance,
                                             "lowest_minutes": account.min_limit,
                                             "highest_minutes": account.max_limit}).data)


class StatementPages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StatementView(ListAPIView):
    """Your statement in one community, newest first, each line with its running balance."""

    permission_classes = [HasScope]
    required_scope = Scope.READ
    serializer_class = serializers.StatementLine
    pagination_class = StatementPages

    def get_queryset(self):
        self.account = _account(membership_in(self.request, self.kwargs["slug"]))
        if self.account.pk is None:
            return Entry.objects.none()
        return queries.statement(self.account)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return queries.with_other_side(page, self.account) if page is not None else None

    @extend_schema(summary="Your statement in one community")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
