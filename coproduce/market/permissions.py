"""Who may manage an offer or request: its author, or a coordinator acting for an assisted author."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from coproduce.market.models import Post
from coproduce.members.permissions import Access, may_act_for


def post_in(access: Access, pk: int) -> Post:
    """A post of this community by id; 404 if it belongs to another community."""
    return get_object_or_404(Post.objects.for_list().select_related("community"), pk=pk, community=access.community)


def may_manage(access: Access, post: Post) -> bool:
    own = access.membership is not None and post.author_id == access.membership.pk
    return own or may_act_for(access, post.author)


def require_may_manage(access: Access, post: Post) -> None:
    if not may_manage(access, post):
        raise Http404
