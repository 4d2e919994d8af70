"""Offers and requests through the API: search them as the market page does (its own search form
and query), post one (scope "posts"), and withdraw your own; what matches what you offer, and who
could help with your request, from the market's own matching. The market's services decide."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from coproduce.api import serializers
from coproduce.api.models import Scope
from coproduce.api.permissions import HasScope, membership_in
from coproduce.api.serializers import validated
from coproduce.communities.models import Area, Category
from coproduce.market import matching, services
from coproduce.market.forms import SearchForm
from coproduce.market.models import Post
from coproduce.market.permissions import may_manage, post_in
from coproduce.market.queries import search_posts
from coproduce.members.permissions import require_member

SEARCH = [OpenApiParameter(name, OpenApiTypes.STR, description=about, required=False) for name, about in (
    ("q", "Words or a plain sentence, up to 100 characters."), ("kind", "offer or request"),
    ("category", "A category's id."), ("area", "An area's id, or \"online\"."),
    ("within", "Posted in the last 7, 30 or 90 days."), ("sort", "relevance (default), newest or ending"))]


class PostPages(PageNumberPagination):
    page_size = 20


class PostsView(APIView):
    permission_classes = [HasScope]

    @property
    def required_scope(self):
        return Scope.POSTS if self.request.method == "POST" else Scope.READ

    @extend_schema(parameters=[*SEARCH, OpenApiParameter("page", OpenApiTypes.INT, required=False)],
                   responses=serializers.PostPage, summary="Search open offers and requests")
    def get(self, request, slug):
        me = membership_in(request, slug)
        form = SearchForm(request.query_params, community=me.community)
        if not form.is_valid():
            raise ValidationError(form.errors)
        pages = PostPages()
        page = pages.paginate_queryset(search_posts(me.community, **form.search_arguments()), request, view=self)
        return pages.get_paginated_response(serializers.Post(page, many=True).data)

    @extend_schema(request=serializers.NewPost, responses={201: serializers.Post}, summary="Post an offer or request")
    def post(self, request, slug):
        me = membership_in(request, slug)
        data = validated(serializers.NewPost, request)
        # An id that is not this community's is the service's own refusal ("Choose one of ...").
        category = Category.objects.filter(community=me.community, pk=data["category"]).first()
        area = None
        if data["area"] is not None:
            area = Area.objects.filter(community=me.community, pk=data["area"]).first()
            if area is None:
                raise ValidationError({"area": [_("Choose one of this community's areas.")]})
        post = services.create_post(author=me, actor=request.user, kind=data["kind"], title=data["title"],
                                    description=data["description"], category=category, area=area,
                                    duration_minutes=data["duration_minutes"])
        post = Post.objects.for_list().get(pk=post.pk)
        return Response(serializers.Post(post).data, status=status.HTTP_201_CREATED)


class WithdrawView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.POSTS

    @extend_schema(request=None, responses=serializers.Post, summary="Withdraw one of your offers or requests")
    def post(self, request, slug, pk):
        me = membership_in(request, slug)
        post = get_object_or_404(Post, pk=pk, community=me.community, author=me)  # your own only
        services.withdraw_post(post, actor=request.user)
        return Response(serializers.Post(Post.objects.for_list().get(pk=post.pk)).data)


class SuggestionsView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.READ

    @extend_schema(responses=serializers.RequestMatch(many=True),
                   summary="Requests that match what you offer, best first, with why (as the matches page)")
    def get(self, request, slug):
        me = membership_in(request, slug)
        matches = matching.requests_for_member(me)
        return Response(serializers.RequestMatch([{"request": post, "reasons": suggestion.reasons}
                                                  for post, suggestion in matches], many=True).data)


class HelpersView(APIView):
    permission_classes = [HasScope]
    required_scope = Scope.READ

    @extend_schema(responses=serializers.Helper(many=True),
                   summary="People who could help with your open request (its author, or a coordinator)")
    def get(self, request, slug, pk):
        access = require_member(request, slug)
        post = post_in(access, pk)
        # The request's page shows these to whoever manages it and to coordinators, and to no one else.
        if not (may_manage(access, post) or access.is_coordinator):
            raise NotFound(_("You can see who could help only with your own requests."))
        if not (post.is_request and post.is_open):
            return Response([])
        return Response(serializers.Helper(matching.suggest_for_request(post, limit=5), many=True).data)
