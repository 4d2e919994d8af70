"""Conversations through the API: your inbox and a conversation's messages (scope "read"), and
writing (scope "posts"): a reply, a first message to the author of an offer or request, or to a
member directly. The same queries and services as the messages pages, with their rules: only the
people in a conversation read it, blocks and contact preferences refuse with their own words."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from coproduce.api import serializers
from coproduce.api.models import Scope
from coproduce.api.permissions import HasScope, membership_in
from coproduce.api.serializers import validated
from coproduce.conversations import services
from coproduce.conversations.models import Conversation
from coproduce.conversations.queries import conversation_of, inbox
from coproduce.conversations.reach import Reach, ReachContext, refusal
from coproduce.market.models import Post
from coproduce.members.models import Membership

PAGE = [OpenApiParameter("page", OpenApiTypes.INT, required=False)]


class InboxPages(PageNumberPagination):
    page_size = 25  # as the messages page


class MessagePages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ByScope(APIView):
    """Reading needs "read"; writing (a POST) needs "posts"."""

    permission_classes = [HasScope]

    @property
    def required_scope(self):
        return Scope.POSTS if self.request.method == "POST" else Scope.READ


def _as_conversation(conversation: Conversation) -> dict:
    unread = conversation.unread_all if conversation.my_last_read is None else conversation.unread_since
    return {"id": conversation.pk, "post_id": conversation.post_id, "post": conversation.post,
            "other_name": conversation.other_name, "last_message_at": conversation.last_message_at,
            "unread": unread or 0}


def _in_inbox(request, me: Membership, pk: int) -> dict:
    found = inbox(request.user, me.community).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("You have no such conversation."))
    return serializers.Conversation(_as_conversation(found)).data


def _own_conversation(request, me: Membership, pk: int) -> Conversation:
    """A conversation of this community the person is in; 404 for everyone else, coordinators too
    (as the messages page: a coordinator reads a conversation only through a report)."""
    conversation = conversation_of(request.user, me.community, pk)
    if conversation is None:
        raise NotFound(_("You have no such conversation."))
    return conversation


class ConversationsView(ByScope):
    @extend_schema(parameters=PAGE, responses=serializers.ConversationPage,
                   summary="Your conversations in one community, newest first, with unread counts")
    def get(self, request, slug):
        me = membership_in(request, slug)
        pages = InboxPages()
        page = pages.paginate_queryset(inbox(request.user, me.community), request, view=self)
        return pages.get_paginated_response(
            serializers.Conversation([_as_conversation(c) for c in page], many=True).data)


class MessagesView(ByScope):
    @extend_schema(parameters=[*PAGE, OpenApiParameter("page_size", OpenApiTypes.INT, required=False)],
                   responses=serializers.MessagePage,
                   summary="A conversation's messages, oldest first (only if you are in it); reading marks it read "
                           "as opening it on the site does")
    def get(self, request, slug, pk):
        me = membership_in(request, slug)
        conversation = _own_conversation(request, me, pk)
        pages = MessagePages()
        thread = conversation.messages.select_related("sender").order_by("created_at", "id")
        page = pages.paginate_queryset(thread, request, view=self)
        services.mark_read(conversation, request.user)
        return pages.get_paginated_response(serializers.Message(
            [{"id": m.pk, "sender": m.sender, "mine": m.sender_id == request.user.pk, "body": m.body,
              "created_at": m.created_at} for m in page], many=True).data)

    @extend_schema(request=serializers.NewMessage, responses={201: serializers.Message},
                   summary="Reply in a conversation you are in (scope \"posts\")")
    def post(self, request, slug, pk):
        me = membership_in(request, slug)
        conversation = _own_conversation(request, me, pk)
        given = validated(serializers.NewMessage, request)
        message = services.reply(conversation, sender=request.user, body=given["body"])
        return Response(serializers.Message({"id": message.pk, "sender": request.user, "mine": True,
                                             "body": message.body, "created_at": message.created_at}).data,
                        status=status.HTTP_201_CREATED)


class AboutPostView(ByScope):
    @extend_schema(request=serializers.NewMessage, responses={201: serializers.Conversation},
                   summary="Write to the author of an offer or request (scope \"posts\"); an existing "
                           "conversation about it goes on")
    def post(self, request, slug, pk):
        me = membership_in(request, slug)
        post = get_object_or_404(Post.objects.select_related("author__user", "community"), pk=pk,
                                 community=me.community)
        given = validated(serializers.NewMessage, request)
        conversation = services.start_conversation(sender=me, recipient=post.author,
                                                   body=given["body"], post=post)
        return Response(_in_inbox(request, me, conversation.pk), status=status.HTTP_201_CREATED)


class ToMemberView(ByScope):
    @extend_schema(request=serializers.NewMessage, responses={201: serializers.Conversation},
                   summary="Write to a member directly (scope \"posts\"), as from their profile: blocks and "
                           "their contact preference may refuse (403, with whom to contact instead)")
    def post(self, request, slug, pk):
        me = membership_in(request, slug)
        recipient = get_object_or_404(Membership.objects.active().select_related("user", "area", "community"),
                                      pk=pk, community=me.community)
        reach = ReachContext.load(me, me.community).reach(recipient)
        if reach is not Reach.MESSAGE:
            raise PermissionDenied(refusal(reach, recipient.user.name))
        given = validated(serializers.NewMessage, request)
        conversation = services.start_conversation(sender=me, recipient=recipient,
                                                   body=given["body"])
        return Response(_in_inbox(request, me, conversation.pk), status=status.HTTP_201_CREATED)
