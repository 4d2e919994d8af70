import pytest

from coproduce.communities.models import Category
from coproduce.market import services
from coproduce.market.models import PostKind
from coproduce.members.models import Membership


def category(community, name):
    return Category.objects.get(community=community, name=name, parent__isnull=False)


def post(user, community, *, kind=PostKind.REQUEST, title="Help with weeding", category_name="Gardening",
         description="", actor=None, **extra):
    author = Membership.objects.get(user=user, community=community)
    return services.create_post(author=author, actor=actor or user, kind=kind, title=title,
                                description=description, category=category(community, category_name), **extra)


@pytest.fixture
def gardening(riverside):
    return category(riverside, "Gardening")


@pytest.fixture
def request_post(member, riverside):
    return post(member, riverside, title="Help weeding my garden", description="Small back garden, weeds everywhere")
