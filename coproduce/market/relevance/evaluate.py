"""Relevance of search, match suggestions and category suggestions on the labelled sets here.

Two sets (see README.md beside this file):

- ``requests.json``: 168 requests written as members write them, each with its right
  categories, the category its writer filed it under (a quarter are wrong) and its right
  helpers in a fixed community of 33 helpers. ``evaluate_requests`` measures search (the
  request's title typed into the offers search), suggestions (``suggest_for_request`` on
  the request as filed) and category suggestions (``suggest_categories`` on its words).
- ``pairs.json``: the earlier, category-heavy set of 64 requests (suggestions only).

Both are built in a fresh community through the real services; callers roll back.
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
from coproduce.market.queries import search_posts
from coproduce.market.services import complete_post, create_post
from coproduce.market.vocabulary import PHRASES
from coproduce.members.models import Membership

HERE = Path(__file__).parent
PAIRS = HERE / "pairs.json"
REQUESTS = HERE / "requests.json"
K = 5


@dataclass
class Result:
    """The earlier set: suggestions only."""

    requests: int
    precision_at_5: float  # share of the top 5 that are right helpers (max 1.0)
    hit_at_5: float  # share of requests with at least one right helper in the top 5
    recall_at_5: float  # share of all right helpers that appear in their request's top 5
    first_right_at_1: float  # share of requests whose best suggestion is right


@dataclass
class Ranked:
    answered: float  # share of requests with any result at all
    hit_at_5: float  # share with at least one right result in the top 5
    precision_at_5: float  # share of the top 5 that are right (fewer than 5 shown count as wrong)


@dataclass
class Report:
    requests: int
    wrongly_filed: int
    search: Ranked
    suggestions: Ranked
    category_accuracy_at_1: float | None  # None: no category suggestions to measure
    category_accuracy_at_3: float | None
    misses: dict  # what went wrong, for people reading the report


def _person(email: str, name: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(email=email, name=name, password=None)


def _community(data: dict, slug: str) -> tuple[Community, dict, dict, dict]:
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
    return community, areas, categories, helpers


@transaction.atomic
def build(slug: str = "relevance-set") -> tuple[Community, list[tuple]]:
    """The earlier set (pairs.json): requests filed under the right category."""
    data = json.loads(PAIRS.read_text())
    community, areas, categories, helpers = _community(data, slug)
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


@dataclass
class Case:
    request: object  # the Post, filed under the category its writer chose
    categories: set[int]  # right category ids
    helpers: set[int]  # right membership ids


def _history(community, categories: dict, helpers: dict, asker: Membership) -> None:
    """Past, finished posts, as any community has: the demo's wording (vocabulary.PHRASES,
    written before this set), offered by a helper with that skill, asked for by the asker."""
    for name, (offers, requests, _words) in PHRASES.items():
        category = categories[name]
        helper = next((m for m in helpers.values() if category in m.skills.all()), asker)
        for kind, author, titles in ((PostKind.OFFER, helper, offers), (PostKind.REQUEST, asker, requests)):
            for title in titles:
                past = create_post(author=author, actor=author.user, kind=kind, title=title, category=category)
                complete_post(past, actor=author.user)


@transaction.atomic
def build_requests(slug: str = "relevance-requests") -> tuple[Community, list[Case]]:
    """The fixed community of requests.json, its history, and its requests as filed."""
    data = json.loads(REQUESTS.read_text())
    community, areas, categories, helpers = _community(data, slug)
    asker_user = _person(f"asker@{slug}.invalid", "Asker")
    asker = Membership.objects.create(community=community, user=asker_user, area=areas["R-N"])
    _history(community, categories, helpers, asker)
    _train(community)
    cases = []
    for r in data["requests"]:
        request = create_post(author=asker, actor=asker_user, kind=PostKind.REQUEST, title=r["title"],
                              description=r["text"], category=categories[r["filed"]],
                              area=areas[r["area"]] if r["area"] else None)
        cases.append(Case(request, {categories[name].pk for name in r["categories"]},
                          {helpers[key].pk for key in r["right"]}))
    return community, cases


def _train(community) -> None:
    try:
        from coproduce.market.classifier import train
    except ImportError:  # before category suggestions existed
        return
    train(community)


def _suggest_categories():
    try:
        from coproduce.market.classifier import suggest_categories
    except ImportError:
        return None
    return suggest_categories


def _ranked(tops: list[list[bool]]) -> Ranked:
    n = len(tops)
    return Ranked(answered=round(sum(bool(t) for t in tops) / n, 3),
                  hit_at_5=round(sum(any(t[:K]) for t in tops) / n, 3),
                  precision_at_5=round(sum(sum(t[:K]) / K for t in tops) / n, 3))


def evaluate_requests(community, cases: list[Case]) -> Report:
    searched, suggested, at_1, at_3 = [], [], 0, 0
    misses = {"search": [], "suggestions": [], "category": []}
    classify = _suggest_categories()
    for case in cases:
        request = case.request
        offers = list(search_posts(community, query=request.title, kind=PostKind.OFFER)[:K])
        searched.append([offer.category_id in case.categories for offer in offers])
        if not any(searched[-1]):
            misses["search"].append(request.title)
        top = suggest_for_request(request, limit=K)
        suggested.append([s.membership.pk in case.helpers for s in top])
        if not any(suggested[-1]):
            misses["suggestions"].append(request.title)
        if classify is not None:
            guesses = [c.pk for c in classify(community, f"{request.title} {request.description}", limit=3)]
            at_1 += bool(guesses[:1]) and guesses[0] in case.categories
            at_3 += bool(set(guesses[:3]) & case.categories)
            if not set(guesses[:3]) & case.categories:
                misses["category"].append(request.title)
    n = len(cases)
    wrong = sum(case.request.category_id not in case.categories for case in cases)
    return Report(requests=n, wrongly_filed=wrong, search=_ranked(searched), suggestions=_ranked(suggested),
                  category_accuracy_at_1=round(at_1 / n, 3) if classify else None,
                  category_accuracy_at_3=round(at_3 / n, 3) if classify else None, misses=misses)
