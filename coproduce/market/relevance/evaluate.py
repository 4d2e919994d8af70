"""Precision@5 of matching on the labelled set in pairs.json (see README.md here).

Builds the set's people and requests in a fresh community through the real services,
asks ``suggest_for_request`` for five suggestions per request, and compares them with
the labels.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from coproduce.communities.models import Category, Community
from coproduce.communities.services import add_area, create_community
from coproduce.market.matching import suggest_for_request
from coproduce.market.models import PostKind
from coproduce.market.services import create_post
from coproduce.members.models import Membership

PAIRS = Path(__file__).with_name("pairs.json")
K = 5


@dataclass
class Result:
    requests: int
    precision_at_5: float  # share of the top 5 that are right helpers (max 1.0)
    hit_at_5: float  # share of requests with at least one right helper in the top 5
    recall_at_5: float  # share of all right helpers that appear in their request's top 5
    first_right_at_1: float  # share of requests whose best suggestion is right


def _person(email: str, name: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(email=email, name=name, password=None)


@transaction.atomic
def build(slug: str = "relevance-set") -> tuple[Community, list[tuple]]:
    data = json.loads(PAIRS.read_text())
    community = create_community(name="Relevance set", slug=slug)
    areas = {a["code"]: add_area(community, actor=None, code=a["code"], name=a["name"],
                                 latitude=Decimal(str(a["lat"])), longitude=Decimal(str(a["lon"])))
             for a in data["areas"]}
    categories = {c.name: c for c in Category.objects.filter(community=community, parent__isnull=False)}
    helpers = {}
    for h in data["helpers"]:
        user = _person(f"{h['key']}@{slug}.invalid", h["key"].title())
        membership = Membership.objects.create(community=community, user=user, area=areas[h["area"]],
                                               skills_text=h["text"])
        membership.skills.set([categories[name] for name in h["skills"]])
        for title, category in h["offers"]:
            create_post(author=membership, actor=user, kind=PostKind.OFFER, title=title,
                        category=categories[category], area=membership.area)
        helpers[h["key"]] = membership
    asker_user = _person(f"asker@{slug}.invalid", "Asker")
    asker = Membership.objects.create(community=community, user=asker_user, area=areas["R-N"])
    cases = []
    for r in data["requests"]:
        request = create_post(author=asker, actor=asker_user, kind=PostKind.REQUEST, title=r["title"],
                              description=r["text"], category=categories[r["category"]],
                              area=areas[r["area"]] if r["area"] else None)
        cases.append((request, {helpers[key].pk for key in r["right"]}))
    return community, cases


def evaluate(cases) -> Result:
    precision = hits = found = total_right = first = 0
    for request, right in cases:
        top = [s.membership.pk for s in suggest_for_request(request, limit=K)]
        good = len(set(top) & right)
        precision += good / K
        hits += good > 0
        found += good
        total_right += len(right)
        first += bool(top) and top[0] in right
    n = len(cases)
    return Result(requests=n, precision_at_5=round(precision / n, 3), hit_at_5=round(hits / n, 3),
                  recall_at_5=round(found / total_right, 3), first_right_at_1=round(first / n, 3))
