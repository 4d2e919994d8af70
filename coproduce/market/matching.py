"""Who could help with a request, and why, in plain words.

Score = sum of weight × feature, each feature between 0 and 1:

| feature       | weight | 1.0 when …                                                        |
|---------------|--------|-------------------------------------------------------------------|
| category      | 0.35   | an open offer or a listed skill is in the request's category      |
|               |        | (0.5 for a sibling or parent category); for a category the        |
|               |        | request's words suggest (``classifier``), up to 0.9 by how sure    |
| text          | 0.20   | the helper's words cover the request's meaningful words (stems)   |
| area          | 0.15   | same area, or the request is online/anywhere; 0.6 if neighbouring |
|               |        | (centroids within NEIGHBOUR_KM), 0.5 if the offer is online       |
| availability  | 0.10   | free at every time asked for (share of slots); 0.5 when unknown   |
| activity      | 0.05   | logged in or posted in the last 30 days (0.5 within 90)           |
| reciprocity   | 0.15   | received more than given, or no exchange yet (newcomer); 0.5 even |
|               |        | balance; 0.2 when they have given more than they received         |

A candidate needs some category or text fit to be suggested at all. Because the request's
words suggest categories of their own, a request filed under the wrong category still
reaches the people who offer what it asks for.

Cost is bounded whatever the number of posts: about ten indexed queries (the categories, the
request's words, the text model's summary and counts, members listing a candidate category
as a skill with those skills, candidate offers with their authors in one query of bounded
parts, blocks, balances, checks; one more ranks text matches when the request has rarer
words), hand-written SQL read as tuples rather than ORM instances, and the few suggestions
returned are made members from the rows already read.
"""

import datetime
import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _lazy

from coproduce.market import classifier, hooks, lexicon, reciprocity, text
from coproduce.market.models import Post, PostKind
from coproduce.market.queries import TEXT_POOL, Plan, best_ids, plan_from_terms, ranked_ids
from coproduce.members import availability as slots
from coproduce.members.models import Membership, MembershipStatus
from coproduce.safeguarding.models import CategoryCheckRequirement
from coproduce.safeguarding.services import checked_membership_ids, required_check

WEIGHTS = {"category": 0.35, "text": 0.20, "area": 0.15, "availability": 0.10, "activity": 0.05,
           "reciprocity": 0.15}
NEIGHBOUR_KM = 3.0
CATEGORY_CANDIDATES = 30  # newest open offers in the request's category and its family
GUESSED_CANDIDATES = 20  # ... in the categories its words suggest
TEXT_CANDIDATES = 20  # best text matches
SKILL_CANDIDATES = 30
QUERY_WORDS = 20  # words of a request read at all
TEXT_TERMS = 5  # its rarest words look for offers by text
GUESSES = 3
REQUEST_WORDS = 30  # words of a helper's offers, skills and vocabulary that look for requests
GUESS_AT_LEAST = 0.1  # a suggested category this likely brings candidates and counts
GUESS_FIT = 0.9  # a suggested category fits a little less than the one chosen, at most
COMMON_SHARE = 0.05  # a word used in more of the community's posts than this is not a reason


# Reasons in plain words, about the helper (shown to the person asking and coordinators)...
ABOUT_HELPER = {
    "category": _lazy("offers help with %(category)s"),
    "category_close": _lazy("offers something close: %(category)s"),
    "category_guessed": _lazy("offers help with %(category)s, which this sounds like"),
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
    "category_guessed": _lazy("you offer help with %(category)s, which this sounds like"),
    "text": _lazy("it mentions %(words)s"),
    "online": _lazy("it can be done online or anywhere"),
    "same_area": _lazy("it is in %(area)s, where you live"),
    "near_area": _lazy("it is close to %(area)s, where you live"),
    "offer_online": _lazy("you offer it online or anywhere"),
    "free": _lazy("you are free when they asked: %(times)s"),
    "newcomer": _lazy("it could be your first exchange"),
    "received_more": _lazy("you have received more help than you have given: a chance to give back"),
}


@dataclass(frozen=True)
class Place:
    """An area as scoring needs it (a light row, not a model instance)."""

    pk: int
    name: str
    latitude: object
    longitude: object


@dataclass
class Candidate:
    """A possible helper, as scoring needs them (a light row, not a model instance)."""

    pk: int
    user_id: int
    name: str
    last_login: object
    area: Place | None
    availability: int
    skills_text: str
    skill_ids: set[int] = field(default_factory=set)
    offers: list = field(default_factory=list)
    email: str | None = None


@dataclass
class OfferRow:
    """An open offer, as scoring and the suggestion list need it."""

    pk: int
    title: str
    category_id: int
    area: Place | None
    availability: int
    created_at: object
    stems: frozenset[str]

    @property
    def area_id(self):
        return self.area.pk if self.area else None


@dataclass
class Suggestion:
    membership: object  # a Membership once explained; a Candidate while scoring
    score: float
    reasons: list
    offer: object = None  # an OfferRow or a Post
    features: dict = field(default_factory=dict)
    via_category: int | None = None  # the category that gave the category fit

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


@dataclass
class Wanted:
    """What a request asks for, worked out once and compared with every candidate."""

    categories: dict[int, tuple[float, str, str]]  # category id -> (fit, reason key, name)
    stems: dict[str, str]  # meaningful stem -> the word the request used for it
    area: object
    availability: int


def distance_km(a, b) -> float | None:
    if a is None or b is None or a.latitude is None or b.latitude is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (float(a.latitude), float(a.longitude),
                                               float(b.latitude), float(b.longitude)))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def _category_fit(wanted: Wanted, category_ids) -> tuple[float, tuple | None, int | None]:
    best, reason, via = 0.0, None, None
    for pk in category_ids:
        fit = wanted.categories.get(pk)
        if fit is not None and fit[0] > best:
            best, reason, via = fit[0], (fit[1], {"category": fit[2]}), pk
    return best, reason, via


def _text_fit(wanted: Wanted, offered: frozenset[str] | set[str]) -> tuple[float, tuple | None]:
    if not wanted.stems:
        return 0.0, None
    common = [stem for stem in wanted.stems if stem in offered]
    if not common:
        return 0.0, None
    score = min(1.0, len(common) / min(len(wanted.stems), 4))
    shown = ", ".join(f"“{wanted.stems[stem]}”" for stem in common[:3])
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


def score_candidate(wanted: Wanted, candidate: Candidate, *, standing: reciprocity.Standing,
                    now) -> Suggestion | None:
    """Score one helper (and their best open offer, if any) for a request; None if no fit.

    Reasons are kept as keys; ``Suggestion.explain()`` turns them into words, so only the
    suggestions shown pay for translation and formatting.
    """
    best = None
    skill_stems = None
    for offer in [None, *candidate.offers]:
        if offer is None:
            if skill_stems is None:
                skill_stems = text.stems(candidate.skills_text)
            category = _category_fit(wanted, candidate.skill_ids)
            offered = skill_stems
        else:
            category = _category_fit(wanted, (offer.category_id,))
            offered = offer.stems
        features, reasons = {}, []
        for name, (value, reason) in (
            ("category", category[:2]),
            ("text", _text_fit(wanted, offered)),
            ("area", _area_fit(wanted.area, (offer.area if offer and offer.area else candidate.area),
                               bool(offer and offer.area is None))),
            ("availability", _availability_fit(wanted.availability,
                                               (offer.availability if offer and offer.availability
                                                else candidate.availability))),
            ("activity", _activity_fit(max(filter(None, [candidate.last_login, offer and offer.created_at]),
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
            best = Suggestion(membership=candidate, score=round(score, 4), reasons=reasons, offer=offer,
                              features=features, via_category=category[2])
    return best


def _excluded_user_ids(user_id: int) -> set[int]:
    """The person themselves and everyone on either side of a block with them."""
    return hooks.excluded_people(user_id) | {user_id}


def _family(category_id: int, categories: dict[int, classifier.CategoryRow]) -> dict[int, float]:
    """The chosen category (1.0) and its parent, children and siblings (0.5)."""
    chosen = categories[category_id]
    family = {category_id, chosen.parent_id} - {None}
    close = {pk for pk, c in categories.items() if pk in family or c.parent_id in family}
    return {pk: 1.0 if pk == category_id else 0.5 for pk in close}


def wanted_for(request: Post, *, terms: list[lexicon.Term], guesses: list, categories: dict,
               trained_posts: int) -> Wanted:
    """The categories a request fits (chosen, its family, the ones its words suggest) and its
    meaningful words."""
    fits: dict[int, tuple[float, str, str]] = {}
    for pk, fit in _family(request.category_id, categories).items():
        fits[pk] = (fit, "category" if fit == 1.0 else "category_close", categories[pk].label)
    top = guesses[0].probability if guesses else 0.0
    for guess in guesses:
        if guess.probability < GUESS_AT_LEAST:
            continue
        fit = round(GUESS_FIT * min(1.0, guess.probability / top), 4)
        if fit > fits.get(guess.pk, (0.0,))[0]:
            fits[guess.pk] = (fit, "category_guessed", guess.name)
    common = max(20, COMMON_SHARE * trained_posts)
    stems = {}
    for term in terms:
        if term.corrected or len(term.word) < 3 or (term.posts or 0) > common:
            continue  # a reason names only words the person wrote and that say something
        stems.setdefault(term.stems[0], term.word)
    return Wanted(categories=fits, stems=stems, area=request.area, availability=request.availability)


def _place(pk, name, latitude, longitude) -> Place | None:
    return Place(pk, name, latitude, longitude) if pk is not None else None


# Candidates are read with hand-written SQL: the same on both databases, a fixed shape, and no
# ORM query building (which cost more than the queries themselves here).
_PERSON = """m.id, u.id, u.name, u.email, u.last_login, m.availability, m.skills_text, m.area_id, ma.name,
    ma.latitude, ma.longitude"""
_PERSON_JOIN = """JOIN members_membership m ON m.id = {member}
    JOIN accounts_user u ON u.id = m.user_id
    LEFT JOIN communities_area ma ON ma.id = m.area_id"""
_SKILLED = f"""SELECT s.category_id, {_PERSON}
    FROM members_membership_skills s {_PERSON_JOIN.format(member="s.membership_id")}
    WHERE s.category_id IN ({{categories}}) AND m.community_id = %s AND m.status = 'active' AND m.id <> %s
    ORDER BY m.id DESC LIMIT %s"""
_OFFERS = f"""SELECT * FROM (SELECT p.id, p.title, p.category_id, p.availability, p.created_at, p.search_title,
    p.search_body, p.area_id, pa.name, pa.latitude, pa.longitude, {_PERSON}
    FROM market_post p {_PERSON_JOIN.format(member="p.author_id")}
    LEFT JOIN communities_area pa ON pa.id = p.area_id
    WHERE p.community_id = %s AND p.kind = 'offer' AND p.status = 'open' AND p.expires_at > %s
      AND p.author_id <> %s AND m.status = 'active' AND {{which}}
    ORDER BY p.created_at DESC LIMIT %s) AS part{{i}}"""


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _person(row) -> tuple:
    """(Candidate, the fields to make a Membership of it) from the _PERSON columns of a row."""
    pk, user_id, name, email, last_login, free, skills_text, area_id, area_name, lat, lon = row
    candidate = Candidate(pk, user_id, name, _when(last_login), _place(area_id, area_name, lat, lon), free,
                          skills_text)
    candidate.email = email
    return candidate


def _offer_rows(request: Post, family: list[int], guessed: list[int], plan: Plan) -> list[tuple]:
    """The candidate offers with their authors, in one query of bounded parts: the newest in the
    request's family, the newest in the categories its words suggest, and the best text matches
    (whose ranking is one more query, only when the request has rarer words)."""
    parts = [(family, CATEGORY_CANDIDATES)]
    if guessed:
        parts.append((guessed, GUESSED_CANDIDATES))
    if plan:
        open_offers = (Post.objects.filter(community_id=request.community_id, kind=PostKind.OFFER).open()
                       .exclude(author_id=request.author_id))
        text_ids = ranked_ids(open_offers, plan, stop=TEXT_CANDIDATES, category_pool=0)[0]
        if text_ids:
            parts.append((text_ids, TEXT_CANDIDATES))
    sqls, params = [], []
    now = timezone.now()
    for i, (ids, limit) in enumerate(parts):
        column = "p.id" if i == 2 else "p.category_id"
        sqls.append(_OFFERS.format(which=f"{column} IN ({_marks(ids)})", i=i))
        params += [request.community_id, now, request.author_id, *ids, limit]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sqls), params)
        return list({row[0]: row for row in cursor.fetchall()}.values())


def _when(value):
    """A date and time read by raw SQL: SQLite hands back UTC without a zone (or text),
    PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _candidates(request: Post, wanted: Wanted, plan: Plan, family: list[int], guessed: list[int]):
    """Possible helpers as light rows: the authors of candidate offers, and members listing a
    candidate category as a skill (with those skills: other skills cannot fit the request)."""
    categories = family + guessed
    with connection.cursor() as cursor:
        cursor.execute(_SKILLED.format(categories=_marks(categories)),
                       [*categories, request.community_id, request.author_id, SKILL_CANDIDATES * 3])
        skill_rows = cursor.fetchall()
    members: dict[int, Candidate] = {}
    for category_id, *person in skill_rows:
        member = members.get(person[0])
        if member is None:
            if len(members) == SKILL_CANDIDATES:
                break
            member = members[person[0]] = _person(person)
        member.skill_ids.add(category_id)
    for (pk, title, category_id, free, created_at, title_stems, body_stems, area_id, area_name, lat, lon,
         *person) in _offer_rows(request, family, guessed, plan):
        member = members.get(person[0])
        if member is None:
            member = members[person[0]] = _person(person)
        member.offers.append(OfferRow(pk, title, category_id, _place(area_id, area_name, lat, lon), free,
                                      _when(created_at), frozenset(f"{title_stems} {body_stems}".split())))
    return members


def _requirements(category_ids) -> dict[int, str]:
    """Category id -> the check help in it needs (its own or its parent's), in one query."""
    rows = CategoryCheckRequirement.objects.filter(
        Q(category_id__in=category_ids) | Q(category__children__id__in=category_ids)).values_list(
        "category_id", "check_type", "category__children__id")
    needs: dict[int, str] = {}
    for category_id, check_type, child_id in rows:
        if category_id in category_ids:
            needs[category_id] = check_type
        if child_id in category_ids:
            needs.setdefault(child_id, check_type)
    return needs


def suggest_for_request(request: Post, *, limit: int = 10) -> list[Suggestion]:
    """Ranked helpers for a request, best first, each with its reasons. A bounded number of queries."""
    now = timezone.now()
    community_id = request.community_id
    categories = classifier.category_rows(community_id)
    typed = text.words(f"{request.title} {request.description}")[:QUERY_WORDS]
    terms = lexicon.resolve(community_id, typed)
    model = classifier.load_model(community_id)
    guesses = classifier.guess(community_id, terms, limit=GUESSES, model=model, categories=categories)
    wanted = wanted_for(request, terms=terms, guesses=guesses, categories=categories,
                        trained_posts=model.posts if model else 0)
    family = sorted(pk for pk, (_f, key, _n) in wanted.categories.items() if key != "category_guessed")
    guessed = sorted(pk for pk, (_f, key, _n) in wanted.categories.items() if key == "category_guessed")
    # The rarer words look for offers by text ("labrador", "calligraphy"). A word hundreds of
    # posts use finds nothing that the categories it suggests do not bring in already.
    rare = sorted((t for t in terms if (t.posts or 0) <= TEXT_POOL), key=lambda t: -t.weight)[:TEXT_TERMS]
    plan = plan_from_terms(community_id, rare)
    members = _candidates(request, wanted, plan, family, guessed)

    excluded = _excluded_user_ids(request.author.user_id)
    members = {pk: m for pk, m in members.items() if m.user_id not in excluded}
    if not members:
        return []
    standings = reciprocity.standings(list(members))
    suggestions = []
    for pk, member in members.items():
        suggestion = score_candidate(wanted, member, standing=standings[pk], now=now)
        if suggestion is not None:
            suggestions.append(suggestion)
    suggestions = _only_checked(request, suggestions)
    suggestions.sort(key=lambda s: (-s.score, s.membership.pk))
    return [s.explain() for s in _as_members(suggestions[:limit], community_id)]


def _only_checked(request: Post, suggestions: list[Suggestion]) -> list[Suggestion]:
    """Safeguarding: help in the request's category needs its check from everyone; a helper
    brought in by a category the words suggest needs that category's check too."""
    needs = _requirements({request.category_id, *(s.via_category for s in suggestions if s.via_category)})
    required = {s.membership.pk: {needs.get(request.category_id), needs.get(s.via_category)} - {None}
                for s in suggestions}
    check_types = set().union(*required.values()) if required else set()
    held = {t: checked_membership_ids([pk for pk, types in required.items() if t in types], t) for t in check_types}
    return [s for s in suggestions if all(s.membership.pk in held[t] for t in required[s.membership.pk])]


def _as_members(suggestions: list[Suggestion], community_id: int) -> list[Suggestion]:
    """The few suggestions shown as Membership instances, as pages and e-mails use them, made from
    the rows already read (other fields load on first use, as for any deferred field)."""
    from django.contrib.auth import get_user_model

    from coproduce.communities.models import Area

    db = connection.alias
    for suggestion in suggestions:
        c = suggestion.membership
        if isinstance(c, Membership):
            continue
        membership = _instance(Membership, db, {
            "id": c.pk, "community_id": community_id, "user_id": c.user_id, "status": MembershipStatus.ACTIVE,
            "area_id": c.area.pk if c.area else None, "availability": c.availability, "skills_text": c.skills_text})
        membership.user = _instance(get_user_model(), db, {"id": c.user_id, "name": c.name, "email": c.email,
                                                           "last_login": c.last_login})
        if c.area is not None:
            membership.area = _instance(Area, db, {"id": c.area.pk, "name": c.area.name,
                                                   "latitude": c.area.latitude, "longitude": c.area.longitude})
        suggestion.membership = membership
    return suggestions


def _instance(model, db: str, data: dict):
    """A model instance as the ORM would load it with only these fields (the rest deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in data]
    return model.from_db(db, names, [data[name] for name in names])


def _candidate_from(membership: Membership, skill_ids: set[int], offers: list[Post]) -> Candidate:
    area = membership.area
    return Candidate(membership.pk, membership.user_id, membership.user.name, membership.user.last_login,
                     _place(area.pk, area.name, area.latitude, area.longitude) if area else None,
                     membership.availability, membership.skills_text, skill_ids,
                     [OfferRow(o.pk, o.title, o.category_id,
                               _place(o.area.pk, o.area.name, o.area.latitude, o.area.longitude) if o.area else None,
                               o.availability, o.created_at, frozenset(f"{o.search_title} {o.search_body}".split()))
                      for o in offers])


@dataclass(frozen=True)
class RequestRow:
    """An open request, as scoring needs it (a light row: only the few shown load as posts)."""

    pk: int
    title: str
    description: str
    category_id: int
    area: Place | None
    availability: int
    author_user_id: int


_REQUEST_FIELDS = ("pk", "title", "description", "category_id", "area_id", "area__name", "area__latitude",
                   "area__longitude", "availability", "author__user_id")


def _request_rows(queryset) -> list[RequestRow]:
    return [RequestRow(pk, title, description, category_id, _place(area_id, area_name, lat, lon), free, user_id)
            for pk, title, description, category_id, area_id, area_name, lat, lon, free, user_id
            in queryset.values_list(*_REQUEST_FIELDS)]


def requests_for_member(membership: Membership, *, limit: int = 20) -> list[tuple[Post, Suggestion]]:
    """Open requests that match what this member offers (skills, open offers and the words people
    use for those categories), best first.

    A hundred and forty candidates are weighed as light rows; only the ``limit`` shown are
    loaded as posts (with their authors, categories and areas) for the page."""
    from coproduce.market.models import ConceptWord, SearchWord

    now = timezone.now()
    own_offers = list(Post.objects.filter(author=membership, kind=PostKind.OFFER).open()
                      .select_related("area"))
    skill_ids = set(membership.skills.values_list("id", flat=True))
    category_ids = skill_ids | {o.category_id for o in own_offers}
    if not category_ids and not membership.skills_text:
        return []
    candidates = (Post.objects.filter(community_id=membership.community_id, kind=PostKind.REQUEST).open()
                  .exclude(author=membership))
    wanted = Q(category_id__in=category_ids) | Q(category__parent_id__in=category_ids)
    requests = _request_rows(candidates.filter(wanted).order_by("-created_at")[:100])
    # Requests filed under another category still reach this member when they use the words of
    # what the member offers: the words the community's posts use most (a category's vocabulary
    # holds every language's words, and those the community does not write would fill the list).
    used = SearchWord.objects.filter(community_id=membership.community_id, word=OuterRef("word")).values("posts")
    vocabulary = list(ConceptWord.objects.filter(category_id__in=category_ids)
                      .annotate(used=Subquery(used[:1])).order_by(F("used").desc(nulls_last=True), "id")
                      .values_list("word", flat=True)[:REQUEST_WORDS])
    words = " ".join([membership.skills_text, *(o.title for o in own_offers), *vocabulary])
    if text.words(words):
        seen = {r.pk for r in requests}
        found = [pk for pk in best_ids(candidates, words, community_id=membership.community_id, limit=40,
                                       max_words=REQUEST_WORDS) if pk not in seen]
        if found:
            requests += _request_rows(candidates.filter(pk__in=found))
    excluded = _excluded_user_ids(membership.user_id)
    requests = [r for r in requests if r.author_user_id not in excluded]
    if not requests:
        return []
    categories = classifier.category_rows(membership.community_id)
    # Check-required categories: only if this member holds the right valid check.
    needs = _requirements({r.category_id for r in requests})
    needs = {r.category_id: needs.get(r.category_id) for r in requests}
    held = {t for t in set(needs.values()) - {None} if checked_membership_ids([membership.pk], t)}
    requests = [r for r in requests if needs[r.category_id] is None or needs[r.category_id] in held]
    standing = reciprocity.standings([membership.pk])[membership.pk]
    candidate = _candidate_from(membership, skill_ids, own_offers)
    # What each request's words suggest, all at once (the same few queries for a hundred requests).
    texts = {r.pk: [lexicon.Term(w, (text.stem(w),), None) for w in text.words(f"{r.title} {r.description}")
                    [:QUERY_WORDS]] for r in requests}
    guesses = classifier.guess_many(membership.community_id, texts, limit=GUESSES, categories=categories)
    results = []
    for request in requests:
        wanted_here = wanted_for(request, terms=texts[request.pk], guesses=guesses[request.pk],
                                 categories=categories, trained_posts=0)
        suggestion = score_candidate(wanted_here, candidate, standing=standing, now=now)
        if suggestion is not None:
            suggestion.membership = membership
            results.append((request, suggestion))
    results.sort(key=lambda pair: (-pair[1].score, -pair[0].pk))
    results = results[:limit]
    posts = Post.objects.for_list().in_bulk([request.pk for request, _s in results])
    return [(posts[request.pk], suggestion.explain(to_helper=True)) for request, suggestion in results
            if request.pk in posts]


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
