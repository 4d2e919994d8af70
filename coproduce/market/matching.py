"""Who could help with a request, and why, in plain words.

Score = sum of weight × feature, each feature between 0 and 1:

| feature       | weight | 1.0 when …                                                        |
|---------------|--------|-------------------------------------------------------------------|
| category      | 0.35   | an open offer or a listed skill is in the request's category      |
|               |        | (0.5 for a sibling or parent category)                            |
| text          | 0.20   | the helper's words cover the request's words (stemmed overlap)    |
| area          | 0.15   | same area, or the request is online/anywhere; 0.6 if neighbouring |
|               |        | (centroids within NEIGHBOUR_KM), 0.5 if the offer is online       |
| availability  | 0.10   | free at every time asked for (share of slots); 0.5 when unknown   |
| activity      | 0.05   | logged in or posted in the last 30 days (0.5 within 90)           |
| reciprocity   | 0.15   | received more than given, or no exchange yet (newcomer); 0.5 even |
|               |        | balance; 0.2 when they have given more than they received         |

A candidate needs some category or text fit to be suggested at all. Candidates are drawn
with a bounded number of indexed queries (newest open offers in the category and its
siblings, best text matches, members listing the category as a skill), so the cost does
not grow with the number of posts.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from coproduce.conversations.queries import blocked_pairs_for
from coproduce.market import reciprocity, text
from coproduce.market.models import Post, PostKind
from coproduce.market.queries import text_filter
from coproduce.members import availability as slots
from coproduce.members.models import Membership
from coproduce.safeguarding.services import checked_membership_ids, required_check

WEIGHTS = {"category": 0.35, "text": 0.20, "area": 0.15, "availability": 0.10, "activity": 0.05,
           "reciprocity": 0.15}
NEIGHBOUR_KM = 3.0
CATEGORY_CANDIDATES = 30
TEXT_CANDIDATES = 20
SKILL_CANDIDATES = 30


# Reasons in plain words, about the helper (shown to the person asking and coordinators)...
ABOUT_HELPER = {
    "category": _lazy("offers help with %(category)s"),
    "category_close": _lazy("offers something close: %(category)s"),
    "text": _lazy("mentions %(words)s"),
    "online": _lazy("it can be done online or anywhere"),
    "same_area": _lazy("lives in %(area)s too"),
    "near_area": _lazy("lives nearby, in %(area)s"),
    "offer_online": _lazy("offers it online or anywhere"),
    "free": _lazy("is free when you asked: %(times)s"),
    "active": _lazy("has been active in the last month"),
    "newcomer": _lazy("is new and has not had a first exchange yet"),
    "received_more": _lazy("has received more help than they have given, so giving back is welcome"),
}
# ... and addressed to the helper, on "Requests that match what you offer".
TO_HELPER = {
    "category": _lazy("you offer help with %(category)s"),
    "category_close": _lazy("you offer something close: %(category)s"),
    "text": _lazy("it mentions %(words)s"),
    "online": _lazy("it can be done online or anywhere"),
    "same_area": _lazy("it is in %(area)s, where you live"),
    "near_area": _lazy("it is close to %(area)s, where you live"),
    "offer_online": _lazy("you offer it online or anywhere"),
    "free": _lazy("you are free when they asked: %(times)s"),
    "newcomer": _lazy("it could be your first exchange"),
    "received_more": _lazy("you have received more help than you have given: a chance to give back"),
}

# Only what scoring and the suggestion list show: users and posts are wide rows.
MEMBER_FIELDS = ("id", "community_id", "user_id", "status", "role", "area_id", "availability", "skills_text",
                 "user__id", "user__name", "user__last_login", "area__id", "area__name", "area__latitude",
                 "area__longitude")
POST_FIELDS = ("id", "kind", "author_id", "title", "description", "category_id", "area_id", "availability",
               "created_at", "area__id", "area__name", "area__latitude", "area__longitude",
               *(f"author__{f}" for f in MEMBER_FIELDS))
QUERY_WORDS = 5


def _query_words(request: Post) -> str:
    """The request's first few distinct words (title first): enough to find offers by text."""
    seen: list[str] = []
    for word in text.words(f"{request.title} {request.description}"):
        if word not in seen:
            seen.append(word)
    return " ".join(seen[:QUERY_WORDS])


@dataclass
class Suggestion:
    membership: Membership
    score: float
    reasons: list
    offer: Post | None = None
    features: dict = field(default_factory=dict)

    def explain(self, to_helper: bool = False) -> "Suggestion":
        """Turn reason keys into plain words: about the helper (for the person asking or a
        coordinator), or addressed to the helper ("you offer help with ...")."""
        phrases = TO_HELPER if to_helper else ABOUT_HELPER
        words = []
        for key, params in self.reasons:
            phrase = phrases.get(key)
            if phrase is None:
                continue
            if "mask" in params:
                times = [f"{day} {part}" for bit, day, part in slots.SLOTS if params["mask"] & (1 << bit)][:2]
                params = {"times": ", ".join(times)}
            words.append(str(phrase) % params)
        self.reasons = words
        return self


def distance_km(a, b) -> float | None:
    if a is None or b is None or a.latitude is None or b.latitude is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (float(a.latitude), float(a.longitude),
                                               float(b.latitude), float(b.longitude)))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def _category_fit(category, candidate_category_ids: set[int], categories: dict) -> tuple[float, tuple | None]:
    if category.pk in candidate_category_ids:
        return 1.0, ("category", {"category": category.name})
    family = {category.pk, category.parent_id} - {None}
    for cid in candidate_category_ids:
        other = categories.get(cid)
        if other is not None and (other.parent_id in family or cid == category.parent_id):
            return 0.5, ("category_close", {"category": other.name})
    return 0.0, None


def _text_fit(wanted: set[str], offered_text: str) -> tuple[float, tuple | None]:
    if not wanted:
        return 0.0, None
    common = wanted & text.stems(offered_text)
    if not common:
        return 0.0, None
    score = min(1.0, len(common) / min(len(wanted), 4))
    shown = ", ".join(f"“{w}”" for w in sorted(common)[:3])
    return score, ("text", {"words": shown})


def _area_fit(request_area, helper_area, offer_online: bool) -> tuple[float, tuple | None]:
    if request_area is None:
        return 1.0, ("online", {})
    if helper_area is not None and helper_area.pk == request_area.pk:
        return 1.0, ("same_area", {"area": request_area.name})
    km = distance_km(request_area, helper_area)
    if km is not None and km <= NEIGHBOUR_KM:
        return 0.6, ("near_area", {"area": helper_area.name})
    if offer_online:
        return 0.5, ("offer_online", {})
    return 0.0, None


def _availability_fit(wanted: int, free: int) -> tuple[float, tuple | None]:
    if not wanted or not free:
        return 0.5, None
    overlap = wanted & free
    if not overlap:
        return 0.0, None
    share = bin(overlap).count("1") / bin(wanted).count("1")
    return share, ("free", {"mask": overlap})


def _activity_fit(last_seen, now) -> tuple[float, tuple | None]:
    if last_seen and last_seen >= now - timedelta(days=30):
        return 1.0, ("active", {})
    if last_seen and last_seen >= now - timedelta(days=90):
        return 0.5, None
    return 0.0, None


def _reciprocity_fit(state: reciprocity.Standing) -> tuple[float, tuple | None]:
    if state.newcomer:
        return 1.0, ("newcomer", {})
    if state.balance_minutes is None:
        return 0.5, None
    if state.balance_minutes < 0:
        return 1.0, ("received_more", {})
    if state.balance_minutes == 0:
        return 0.5, None
    return 0.2, None


def score_pair(request: Post, member: Membership, offers: list[Post], *, categories: dict,
               skill_ids: set[int], standing: reciprocity.Standing, now,
               wanted_words: set[str] | None = None) -> Suggestion | None:
    """Score one helper (and their best open offer, if any) for a request; None if no fit.

    Reasons are kept as thunks; ``Suggestion.explain()`` turns them into words, so only
    the suggestions shown pay for translation and formatting.
    """
    if wanted_words is None:
        wanted_words = text.stems(f"{request.title} {request.description}")
    best = None
    for offer in [None, *offers]:
        cat_ids = {offer.category_id} if offer else skill_ids
        offered_text = f"{offer.title} {offer.description}" if offer else member.skills_text
        features, reasons = {}, []
        for name, (value, reason) in (
            ("category", _category_fit(request.category, cat_ids, categories)),
            ("text", _text_fit(wanted_words, offered_text)),
            ("area", _area_fit(request.area, (offer.area if offer and offer.area_id else member.area),
                               bool(offer and offer.area_id is None))),
            ("availability", _availability_fit(request.availability,
                                               (offer.availability if offer and offer.availability
                                                else member.availability))),
            ("activity", _activity_fit(max(filter(None, [member.user.last_login, offer and offer.created_at]),
                                           default=None), now)),
            ("reciprocity", _reciprocity_fit(standing)),
        ):
            features[name] = value
            if reason:
                reasons.append(reason)
        if features["category"] == 0 and features["text"] == 0:
            continue
        score = sum(WEIGHTS[name] * value for name, value in features.items())
        if best is None or score > best.score:
            best = Suggestion(membership=member, score=round(score, 4), reasons=reasons, offer=offer,
                              features=features)
    return best


def _excluded_user_ids(user_id: int) -> set[int]:
    """The person themselves and everyone on either side of a block with them."""
    return {other for pair in blocked_pairs_for(user_id) for other in pair} | {user_id}


def _family_ids(category) -> list[int]:
    return [category.pk] + ([category.parent_id] if category.parent_id else [])


def suggest_for_request(request: Post, *, limit: int = 10) -> list[Suggestion]:
    """Ranked helpers for a request, best first, each with its reasons. A bounded number of queries."""
    now = timezone.now()
    community_id = request.community_id
    category = request.category
    family = _family_ids(category)
    open_offers = (Post.objects.filter(community_id=community_id, kind=PostKind.OFFER).open()
                   .exclude(author_id=request.author_id))
    # Ids first, on the posts table alone; the few winners are then loaded with their people.
    category_ids = list(open_offers.filter(Q(category_id__in=family) | Q(category__parent_id__in=family))
                        .order_by("-created_at").values_list("id", flat=True)[:CATEGORY_CANDIDATES])
    text_ids = list(text_filter(open_offers, _query_words(request), any_word=True)
                    .order_by("-rank").values_list("id", flat=True)[:TEXT_CANDIDATES])
    loaded = {p.pk: p for p in Post.objects.filter(pk__in=set(category_ids + text_ids))
              .select_related("area", "author__user", "author__area").only(*POST_FIELDS)}
    by_category = [loaded[pk] for pk in category_ids]
    by_text = [loaded[pk] for pk in text_ids]
    skilled = list(Membership.objects.active().filter(community_id=community_id, skills__id__in=family)
                   .exclude(pk=request.author_id).select_related("user", "area").only(*MEMBER_FIELDS)
                   .order_by("-pk").distinct()[:SKILL_CANDIDATES])

    members: dict[int, Membership] = {m.pk: m for m in skilled}
    offers_by_member: dict[int, list[Post]] = {}
    for offer in by_category + by_text:
        members.setdefault(offer.author_id, offer.author)
        bucket = offers_by_member.setdefault(offer.author_id, [])
        if all(o.pk != offer.pk for o in bucket):
            bucket.append(offer)

    excluded = _excluded_user_ids(request.author.user_id)
    members = {pk: m for pk, m in members.items() if m.user_id not in excluded and m.is_active}
    check_type = required_check(category)
    if check_type:
        allowed = checked_membership_ids(members, check_type)
        members = {pk: m for pk, m in members.items() if pk in allowed}
    if not members:
        return []

    skill_rows = Membership.skills.through.objects.filter(membership_id__in=list(members)).values_list(
        "membership_id", "category_id")
    skills: dict[int, set[int]] = {}
    for membership_id, category_id in skill_rows:
        skills.setdefault(membership_id, set()).add(category_id)
    categories = _categories(request)
    standings = reciprocity.standings(list(members))

    wanted_words = text.stems(f"{request.title} {request.description}")
    suggestions = []
    for pk, member in members.items():
        suggestion = score_pair(request, member, offers_by_member.get(pk, []), categories=categories,
                                skill_ids=skills.get(pk, set()), standing=standings[pk], now=now,
                                wanted_words=wanted_words)
        if suggestion is not None:
            suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (-s.score, s.membership.pk))
    return [s.explain() for s in suggestions[:limit]]


@dataclass(frozen=True)
class _Category:
    pk: int
    parent_id: int | None
    name: str


def _categories(post: Post) -> dict:
    """The community's categories as light tuples (a model instance each costs more than the query)."""
    from coproduce.communities.models import Category

    rows = Category.objects.filter(community_id=post.community_id).values_list("id", "parent_id", "name")
    return {pk: _Category(pk, parent_id, name) for pk, parent_id, name in rows}


def requests_for_member(membership: Membership, *, limit: int = 20) -> list[tuple[Post, Suggestion]]:
    """Open requests that match what this member offers (skills and open offers), best first."""
    now = timezone.now()
    own_offers = list(Post.objects.filter(author=membership, kind=PostKind.OFFER).open()
                      .select_related("area"))
    skill_ids = set(membership.skills.values_list("id", flat=True))
    category_ids = skill_ids | {o.category_id for o in own_offers}
    if not category_ids and not membership.skills_text:
        return []
    candidates = (Post.objects.filter(community_id=membership.community_id, kind=PostKind.REQUEST).open()
                  .exclude(author=membership).for_list())
    wanted = Q(category_id__in=category_ids) | Q(category__parent_id__in=category_ids)
    requests = list(candidates.filter(wanted).order_by("-created_at")[:100])
    if membership.skills_text:
        seen = {r.pk for r in requests}
        requests += [r for r in text_filter(candidates, membership.skills_text, any_word=True)
                     .order_by("-rank")[:40] if r.pk not in seen]
    excluded = _excluded_user_ids(membership.user_id)
    requests = [r for r in requests if r.author.user_id not in excluded]
    if not requests:
        return []
    categories = _categories(requests[0])
    # Check-required categories: only if this member holds the right valid check.
    needs = {c: required_check(categories[c]) for c in {r.category_id for r in requests}}
    held = {t for t in set(needs.values()) - {None} if checked_membership_ids([membership.pk], t)}
    requests = [r for r in requests if needs[r.category_id] is None or needs[r.category_id] in held]
    standing = reciprocity.standings([membership.pk])[membership.pk]
    results = []
    for request in requests:
        suggestion = score_pair(request, membership, own_offers, categories=categories, skill_ids=skill_ids,
                                standing=standing, now=now)
        if suggestion is not None:
            results.append((request, suggestion))
    results.sort(key=lambda pair: (-pair[1].score, -pair[0].pk))
    return [(request, suggestion.explain(to_helper=True)) for request, suggestion in results[:limit]]


def members_to_introduce(request: Post, query: str, *, limit: int = 20) -> list[Membership]:
    """Coordinator's search for someone to introduce: by name, never the author, anyone
    blocked either way, or (in a check-required category) anyone without a valid check."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    found = list(Membership.objects.active().filter(community_id=request.community_id, user__name__icontains=query)
                 .exclude(pk=request.author_id).exclude(user_id__in=_excluded_user_ids(request.author.user_id))
                 .select_related("user", "area").order_by("user__name", "pk")[:limit * 3])
    check_type = required_check(request.category)
    if check_type:
        allowed = checked_membership_ids([m.pk for m in found], check_type)
        found = [m for m in found if m.pk in allowed]
    return found[:limit]
