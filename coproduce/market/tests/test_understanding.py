"""Issue 14: search and matching that understand people's own words (run on PostgreSQL and SQLite)."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coproduce.audit.models import AuditAction, AuditEntry
from coproduce.market import lexicon, matching, services, text
from coproduce.market.classifier import suggest_categories, train
from coproduce.market.models import ConceptWord, Post, PostKind, TextModel
from coproduce.market.queries import search_posts
from coproduce.market.tasks import note_new_post
from coproduce.market.tests.conftest import category, post
from coproduce.members.models import Membership
from coproduce.testing import LOGIN, PERSONAS, assert_status


def titles(found):
    return [p.title for p in found]


@pytest.fixture
def offers(riverside, second_member):
    made = {}
    for title, name, description in [
        ("Driving to hospital appointments", "Lifts", "I have a car"),
        ("Smartphone and tablet help", "Computer and phone help", "Video calls with family, photos"),
        ("Dog walking", "Dog walking", "Any size of dog, weekday mornings"),
        ("Lawn mowing and hedge trimming", "Gardening", ""),
        ("Hedge cutting", "Gardening", "Also lawns"),
        ("Weekly phone chat", "Phone calls", "A friendly voice"),
    ]:
        made[title] = post(second_member, riverside, kind=PostKind.OFFER, title=title, description=description,
                           category_name=name)
    return made


class TestSearchRanks:
    def test_sentences_find_the_most_relevant_offers_first(self, riverside, offers):
        train(riverside)
        for query, expected in [
            ("Would anyone take my Labrador out on weekday mornings?", "Dog walking"),
            ("the grass needs cutting before the landlord comes", "Hedge cutting"),
            ("I can't work out how to send photos to my family on my phone", "Smartphone and tablet help"),
            ("lift hospital", "Driving to hospital appointments"),
            ("computer", "Smartphone and tablet help"),  # through the vocabulary: no offer says "computer"
        ]:
            assert titles(search_posts(riverside, query=query))[0] == expected, query

    def test_all_words_first_then_title_above_description(self, riverside, offers):
        found = titles(search_posts(riverside, query="hedge lawns"))
        # Both posts have both words; the one with both in its title comes first.
        assert found[:2] == ["Lawn mowing and hedge trimming", "Hedge cutting"]
        found = titles(search_posts(riverside, query="hedge"))
        assert found.index("Hedge cutting") < found.index("Dog walking") if "Dog walking" in found else True

    def test_stemming_and_stop_words(self, riverside, offers):
        assert titles(search_posts(riverside, query="mowed lawns"))[0] == "Lawn mowing and hedge trimming"
        assert titles(search_posts(riverside, query="the of and")) == titles(search_posts(riverside))

    def test_misspellings_find_the_word_meant(self, riverside, offers):
        train(riverside)  # typo tolerance needs the community's words, as the background task keeps them
        assert titles(search_posts(riverside, query="hospitle"))[0] == "Driving to hospital appointments"
        assert titles(search_posts(riverside, query="smartfone"))[0] == "Smartphone and tablet help"
        terms = lexicon.resolve(riverside.pk, ["hospitle", "hospital"])
        assert terms[0].corrected and terms[0].stems == (text.stem("hospital"),)
        assert not terms[1].corrected

    def test_other_communities_words_never_show(self, riverside, hilltop, other_member, offers):
        post(other_member, hilltop, kind=PostKind.OFFER, title="Labrador walking in Hilltop",
             category_name="Dog walking")
        assert "Labrador walking in Hilltop" not in titles(search_posts(riverside, query="labrador"))


BAD_QUERIES = [
    "", "   ", "?!.,;:-", "x" * 5000, "garden " * 800, 'NOT "garden"', "garden*", "title:garden", "garden AND NOT",
    "'; DROP TABLE market_post; --", "1 OR 1=1", "😀🐶🌱", "dog 🐶 walk", "garden\x00weeding", "\x00", "(((", "NEAR(a b)",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_search_input_never_errors(riverside, offers, query, as_persona):
    found = search_posts(riverside, query=query)
    assert isinstance(titles(found), list)
    response = as_persona("member").get(reverse("market:browse", args=["riverside"]), {"q": query[:100]})
    assert response.status_code == 200
    assert suggest_categories(riverside, query) is not None
    response = as_persona("member").get(reverse("market:category_suggestions", args=["riverside"]),
                                        {"title": query, "description": query})
    assert response.status_code == 200


def test_a_long_query_is_refused_with_a_clear_message_by_the_form(riverside, offers, as_persona):
    response = as_persona("member").get(reverse("market:browse", args=["riverside"]), {"q": "garden " * 50})
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in response.content.decode()


def test_emoji_and_accents_are_words_like_any_other(riverside, second_member):
    post(second_member, riverside, kind=PostKind.OFFER, title="Café conversation in French",
         category_name="Language practice")
    assert titles(search_posts(riverside, query="cafe"))[0] == "Café conversation in French"
    assert titles(search_posts(riverside, query="CAFÉ"))[0] == "Café conversation in French"


class TestCategorySuggestions:
    def test_from_the_vocabulary_before_any_training(self, riverside):
        assert not TextModel.objects.filter(community=riverside, trained_at__isnull=False).exists()
        guesses = suggest_categories(riverside, "Would anyone take my Labrador out on weekday mornings?")
        assert guesses[0].name == "Dog walking"
        assert suggest_categories(riverside, "the grass needs cutting")[0].name == "Gardening"
        assert suggest_categories(riverside, "") == [] and suggest_categories(riverside, "?!") == []

    def test_learns_the_community_s_own_words(self, riverside, member):
        assert all(g.name != "Exercise buddy" for g in suggest_categories(riverside, "zumba"))
        for title in ["Zumba class partner", "Zumba on Tuesdays", "Someone to do zumba with"]:
            post(member, riverside, title=title, category_name="Exercise buddy")
        train(riverside)
        assert suggest_categories(riverside, "zumba")[0].name == "Exercise buddy"

    def test_retired_categories_are_never_suggested(self, riverside, coordinator):
        from coproduce.communities.services import set_category_retired

        set_category_retired(category(riverside, "Dog walking"), actor=coordinator, retired=True)
        assert all(g.name != "Dog walking" for g in suggest_categories(riverside, "walkies for my dog"))


class TestRetraining:
    def test_posting_queues_a_retraining_only_now_and_then(self, riverside, member,
                                                           django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            post(member, riverside, title="First post ever")  # no model yet: trained (tests run tasks at once)
        model = TextModel.objects.get(community=riverside)
        assert model.trained_at is not None and model.new_posts == 0 and model.queued_at is None
        trained_at = model.trained_at
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(5):
                post(member, riverside, title=f"Another post {i}")
        model.refresh_from_db()
        assert model.trained_at == trained_at and model.new_posts == 5  # not stale yet: not retrained

    def test_a_queued_retraining_is_asked_for_once(self, riverside, monkeypatch):
        from types import SimpleNamespace

        from coproduce.market import tasks

        asked = []
        monkeypatch.setattr(tasks, "retrain", SimpleNamespace(enqueue=asked.append))
        note_new_post(riverside.pk)
        note_new_post(riverside.pk)  # the first is still waiting for the worker
        assert asked == [riverside.pk]

    def test_suggesting_never_trains(self, riverside, member):
        with CaptureQueriesContext(connection) as queries:
            suggest_categories(riverside, "mow my lawn please")
        assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                       for q in queries.captured_queries)


class TestMatchingSurvivesAWrongCategory:
    def test_a_dog_walking_request_filed_under_walks_reaches_the_dog_walker(self, riverside, member, second_member):
        walker = Membership.objects.get(user=second_member)
        walker.skills.set([category(riverside, "Dog walking")])
        post(second_member, riverside, kind=PostKind.OFFER, title="Dog walking", category_name="Dog walking")
        request = post(member, riverside, title="Would anyone take my Labrador out on weekday mornings?",
                       category_name="Walks and outings")
        suggestions = matching.suggest_for_request(request)
        assert suggestions and suggestions[0].membership == walker
        assert any("Dog walking, which this sounds like" in reason for reason in suggestions[0].reasons)

    def test_reasons_name_only_meaningful_words(self, riverside, member, second_member):
        Membership.objects.filter(user=second_member).update(skills_text="happy to help, little jobs, gardening")
        Membership.objects.get(user=second_member).skills.set([category(riverside, "Gardening")])
        request = post(member, riverside, title="I'd be happy if someone could help with a little gardening")
        reasons = " ".join(matching.suggest_for_request(request)[0].reasons)
        assert "“gardening”" in reasons
        assert "happy" not in reasons and "little" not in reasons and "“lit”" not in reasons

    def test_requests_filed_elsewhere_reach_helpers_by_their_words(self, riverside, member, second_member):
        Membership.objects.get(user=second_member).skills.set([category(riverside, "Dog walking")])
        post(member, riverside, title="Walkies for my spaniel", category_name="Walks and outings")
        found = matching.requests_for_member(Membership.objects.get(user=second_member))
        assert [r.title for r, _s in found] == ["Walkies for my spaniel"]

    def test_a_helper_is_reached_by_the_words_the_community_uses_most(self, riverside, member, second_member):
        """A category's vocabulary holds more words than are looked for (every language's): the
        ones the community's posts use come first."""
        walking = category(riverside, "Dog walking")
        ConceptWord.objects.create(community=riverside, category=walking, word="pooch", stem=text.stem("pooch"))
        assert ConceptWord.objects.filter(category=walking).count() > matching.REQUEST_WORDS + 1
        for n in range(3):
            post(member, riverside, kind=PostKind.OFFER, title=f"Pooch walks, round {n}", category_name="Dog walking")
        Membership.objects.get(user=second_member).skills.set([walking])
        post(member, riverside, title="Help with my pooch", category_name="Computer and phone help")
        train(riverside)
        found = matching.requests_for_member(Membership.objects.get(user=second_member))
        assert [r.title for r, _s in found] == ["Help with my pooch"]


class TestPostForm:
    def test_htmx_suggestions_as_people_type(self, riverside, as_persona):
        client = as_persona("member")
        response = client.get(reverse("market:category_suggestions", args=["riverside"]),
                              {"title": "Someone to walk my dog", "description": ""}, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert "Use “Pets: Dog walking”" in body and "<html" not in body
        assert f'value="{category(riverside, "Dog walking").pk}"' in body

    def test_without_javascript_suggest_then_use_a_category(self, riverside, as_persona):
        client = as_persona("member")
        typed = {"kind": "request", "title": "Someone to walk my dog", "description": "", "category": "",
                 "duration_minutes": "60", "availability": ["0"]}
        response = client.post(reverse("market:new_suggest", args=["riverside"]), typed)
        body = response.content.decode()
        assert response.status_code == 200 and "Use “Pets: Dog walking”" in body
        assert not Post.objects.exists()
        dog_walking = category(riverside, "Dog walking")
        response = client.post(reverse("market:new_suggest", args=["riverside"]),
                               {**typed, "use_category": str(dog_walking.pk)})
        body = response.content.decode()
        assert f'<option value="{dog_walking.pk}" selected>' in body
        assert 'value="Someone to walk my dog"' in body and not Post.objects.exists()
        response = client.post(reverse("market:new", args=["riverside"]), {**typed, "category": dog_walking.pk})
        assert response.status_code == 302 and Post.objects.get().category == dog_walking

    def test_a_refused_post_shows_suggestions(self, riverside, as_persona):
        response = as_persona("member").post(reverse("market:new", args=["riverside"]), {
            "kind": "request", "title": "Lift to the hospital", "category": "", "duration_minutes": "60"})
        body = response.content.decode()
        assert "Choose a category" in body or "This field is required" in body
        assert "Use “Transport and errands: Lifts”" in body

    def test_a_category_of_another_community_is_not_taken(self, riverside, hilltop, as_persona):
        theirs = category(hilltop, "Dog walking")
        response = as_persona("member").post(reverse("market:new_suggest", args=["riverside"]), {
            "kind": "request", "title": "walk my dog", "use_category": str(theirs.pk)})
        assert f'value="{theirs.pk}" selected' not in response.content.decode()

    def test_coordinator_for_an_assisted_member(self, riverside, as_persona, assisted_member):
        edna = Membership.objects.get(user=assisted_member)
        url = reverse("market:new_for_suggest", args=["riverside", edna.pk])
        response = as_persona("coordinator").post(url, {"kind": "request", "title": "Hoovering each week"})
        body = response.content.decode()
        assert "Use “Home and garden: Cleaning and tidying”" in body
        assert f'formaction="{url}"' in body

    def test_query_count_does_not_grow(self, riverside, as_persona, member):
        client = as_persona("member")
        url = reverse("market:category_suggestions", args=["riverside"])
        params = {"title": "Someone to mow the lawn and cut the hedge", "description": "hospitle"}
        with CaptureQueriesContext(connection) as small:
            client.get(url, params)
        for i in range(30):
            post(member, riverside, title=f"Hedge and lawn job {i}", category_name="Gardening")
        train(riverside)
        with CaptureQueriesContext(connection) as large:
            client.get(url, params)
        assert len(large) <= len(small) + 2, [q["sql"] for q in large.captured_queries]  # + the trained model


def _vocabulary_urls(riverside):
    dog = category(riverside, "Dog walking")
    word = ConceptWord.objects.filter(category=dog).first()
    return [
        ("list", "get", reverse("market:vocabulary", args=["riverside"]), {}),
        ("category", "get", reverse("market:category_words", args=["riverside", dog.pk]), {}),
        ("add", "post", reverse("market:category_words", args=["riverside", dog.pk]), {"words": "pooch"}),
        ("remove", "post", reverse("market:remove_category_word", args=["riverside", dog.pk, word.pk]), {}),
    ]


VOCABULARY_EXPECTED = {  # per persona, in PERSONAS order
    "list": (LOGIN, 403, 403, 403, 200, 403, 200),
    "category": (LOGIN, 403, 403, 403, 200, 403, 200),
    "add": (LOGIN, 403, 403, 403, 302, 403, 302),
    "remove": (LOGIN, 403, 403, 403, 302, 403, 302),
}


@pytest.mark.parametrize("row", list(VOCABULARY_EXPECTED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_vocabulary_permission_matrix(as_persona, riverside, hilltop, row, persona, member, second_member):
    _name, method, url, data = next(u for u in _vocabulary_urls(riverside) if u[0] == row)
    before = ConceptWord.objects.filter(community=riverside).count()
    response = getattr(as_persona(persona), method)(url, data)
    expected = VOCABULARY_EXPECTED[row][PERSONAS.index(persona)]
    assert_status(response, expected)
    changed = ConceptWord.objects.filter(community=riverside).count() != before
    assert changed == (method == "post" and expected == 302)


class TestVocabularyEditing:
    def test_coordinator_adds_and_removes_words_audited(self, riverside, as_persona, coordinator, member):
        client = as_persona("coordinator")
        dog = category(riverside, "Dog walking")
        url = reverse("market:category_words", args=["riverside", dog.pk])
        response = client.post(url, {"words": "Pooch, doggo\nwoofer, pooch"}, follow=True)
        assert "Added: pooch, doggo, woofer." in response.content.decode()
        assert set(ConceptWord.objects.filter(category=dog, added_by=coordinator).values_list("word", flat=True)) \
            == {"pooch", "doggo", "woofer"}
        entry = AuditEntry.objects.get(action=AuditAction.VOCABULARY_CHANGED)
        assert entry.actor == coordinator and entry.detail == {"added": ["pooch", "doggo", "woofer"]}
        assert suggest_categories(riverside, "my woofer needs a walk")[0].name == "Dog walking"
        word = ConceptWord.objects.get(category=dog, word="woofer")
        client.post(reverse("market:remove_category_word", args=["riverside", dog.pk, word.pk]))
        assert not ConceptWord.objects.filter(pk=word.pk).exists()
        assert AuditEntry.objects.filter(action=AuditAction.VOCABULARY_CHANGED).count() == 2

    @pytest.mark.parametrize("words,message", [
        ("", "This field is required"),
        ("   ,  , ", "Give at least one word"),
        ("dog walking", "give one word at a time"),
        ("the", "is too common to tell categories apart"),
        ("!!!", "give one word at a time"),
        ("x" * 41, "give one word at a time"),
        ("'; DROP TABLE market_conceptword; --", "give one word at a time"),
        ("🐶", "give one word at a time"),
        ("a\x00b", "Null characters are not allowed"),
    ])
    def test_bad_words_are_refused_clearly(self, riverside, as_persona, words, message):
        dog = category(riverside, "Dog walking")
        before = ConceptWord.objects.count()
        response = as_persona("coordinator").post(reverse("market:category_words", args=["riverside", dog.pk]),
                                                  {"words": words})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert ConceptWord.objects.count() == before

    def test_service_refuses_a_retired_category(self, riverside, coordinator):
        from coproduce.communities.services import set_category_retired

        dog = set_category_retired(category(riverside, "Dog walking"), actor=coordinator, retired=True)
        with pytest.raises(ValidationError, match="retired"):
            services.add_concept_words(dog, actor=coordinator, words="pooch")

    def test_another_community_s_category_is_404(self, riverside, hilltop, as_persona):
        theirs = category(hilltop, "Dog walking")
        response = as_persona("coordinator").get(reverse("market:category_words", args=["riverside", theirs.pk]))
        assert response.status_code == 404

    def test_new_communities_get_the_default_words(self, riverside, hilltop):
        for community in (riverside, hilltop):
            words = set(ConceptWord.objects.filter(category=category(community, "Dog walking"))
                        .values_list("word", flat=True))
            assert {"dog", "walkies", "labrador"} <= words

    def test_vocabulary_page_query_count_does_not_grow(self, riverside, as_persona, coordinator):
        client = as_persona("coordinator")
        url = reverse("market:vocabulary", args=["riverside"])
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        for name in ["Gardening", "Baking", "Lifts"]:
            services.add_concept_words(category(riverside, name), actor=coordinator,
                                       words=", ".join(f"word{name.lower()}{i}" for i in range(20)))
        with CaptureQueriesContext(connection) as large:
            assert client.get(url).status_code == 200
        assert len(large) == len(small)


def test_bench_matching_reports_category_suggestions(db):
    out = StringIO()
    call_command("bench_matching", posts=200, samples=5, stdout=out)
    figures = json.loads(out.getvalue())
    assert {"suggest_p95_ms", "search_p95_ms", "category_p95_ms"} <= set(figures)


def test_retrain_command(riverside, hilltop, member):
    post(member, riverside, title="Zumba partner", category_name="Exercise buddy")
    out = StringIO()
    call_command("retrain_text_model", community="riverside", stdout=out)
    assert out.getvalue().startswith("riverside: 1 posts")
    assert TextModel.objects.get(community=riverside).trained_at is not None
    assert not TextModel.objects.filter(community=hilltop).exists()
    with pytest.raises(Exception, match="No community"):
        call_command("retrain_text_model", community="nowhere")


POST_FORM_EXPECTED = {  # per persona, in PERSONAS order
    "suggestions": ("get", "market:category_suggestions", (LOGIN, 403, 200, 403, 200, 403, 404)),
    "suggest": ("post", "market:new_suggest", (LOGIN, 403, 200, 403, 200, 403, 302)),
}


@pytest.mark.parametrize("row", list(POST_FORM_EXPECTED))
@pytest.mark.parametrize("persona", PERSONAS)
def test_post_form_suggestion_permission_matrix(as_persona, riverside, hilltop, row, persona):
    method, name, expected = POST_FORM_EXPECTED[row]
    response = getattr(as_persona(persona), method)(reverse(name, args=["riverside"]),
                                                    {"title": "walk my dog", "kind": "request"})
    assert_status(response, expected[PERSONAS.index(persona)])
    assert not Post.objects.exists()


def test_coordinator_suggestions_for_someone_not_in_the_community_are_404(as_persona, riverside, hilltop,
                                                                           other_member):
    theirs = Membership.objects.get(user=other_member)
    response = as_persona("coordinator").get(reverse("market:category_suggestions", args=["riverside"]),
                                             {"title": "walk my dog", "member": theirs.pk})
    assert response.status_code == 404


def test_category_guesses_are_the_documented_naive_bayes_posterior(riverside, offers):
    """The ranking is computed sparsely (one pass over categories, one over the counts a text
    touches); recompute it here the long way, category by category and word by word."""
    import math

    from coproduce.market import classifier
    from coproduce.market.models import TermCount

    model = train(riverside)
    leaves = classifier.leaf_categories(classifier.category_rows(riverside.pk))
    counts = {}
    for stem, category_id, n in TermCount.objects.filter(community=riverside).values_list("stem", "category_id",
                                                                                          "count"):
        if category_id in leaves:
            counts.setdefault(stem, {})[category_id] = n
    vocabulary = max(model.vocabulary, len(counts), 1)
    texts = {1: "Would anyone take my Labrador out on weekday mornings?", 2: "grass hedge lawn hedge",
             3: "help with my phone and photos", 4: "zzzz qqqq"}
    terms = {key: [lexicon.Term(w, (text.stem(w),), None) for w in text.words(words)] for key, words in texts.items()}
    found = classifier.guess_many(riverside.pk, terms, limit=len(leaves))
    for key, words in terms.items():
        stems = {}
        for term in words:
            stems[term.stems[0]] = stems.get(term.stems[0], 0) + 1
        present = [s for s in stems if s in counts]
        if not present:
            assert found[key] == []
            continue
        scores = {}
        for pk in leaves:
            documents, total = model.categories.get(str(pk), [0, 0.0])
            score = 0.5 * math.log(documents + 1)
            for stem in present:
                weight = stems[stem] * math.log(1 + len(leaves) / len(counts[stem])) / math.log(1 + len(leaves))
                score += weight * math.log((counts[stem].get(pk, 0.0) + 0.1) / (total + 0.1 * vocabulary))
            scores[pk] = score
        top = max(scores.values())
        whole = sum(math.exp(s - top) for s in scores.values())
        ranked = sorted(scores, key=lambda pk: (-scores[pk], pk))
        expected = [(pk, round(math.exp(scores[pk] - top) / whole, 4)) for pk in ranked]
        expected = [(pk, p) for pk, p in expected if p >= 0.02]
        assert [(g.pk, g.probability) for g in found[key]] == expected, texts[key]
    assert found[2][0].name == "Gardening"
