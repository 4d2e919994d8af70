"""Point 6: odd input is a clear error, never a server error (500).

The attacks: a date in the year 1 or 9999, a number such as -1e20, text where a number
belongs, a NUL byte or a very long string, sent in a query string or a form. Each used to
reach code that assumed sensible values (``datetime.date(0, ...)``, an integer column
overflowing, PostgreSQL refusing a NUL) and answered 500. The first tests replay the cases
reported, step by step; the sweeps then send odd values to every GET page of the project in
each query parameter it reads, and to the forms with numbers or dates, as a coordinator and
as a member, and require an answer that is not a 500.
"""

import datetime
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.utils import timezone

from coproduce import testing
from coproduce.audit.models import AuditEntry
from coproduce.conversations.models import Conversation
from coproduce.ledger import services
from coproduce.members.models import Membership

# fmt: off
ODD_FORM_VALUES = [
    "0001-01-01", "9999-12-31", "-1", "-100000000000000000000", "1e20", "abc", "x" * 5000, "a\x00b", "😀",
]
ODD_VALUES = [
    "0001-01", "0001-01-01", "9999-12", "9999-12-31", "2024-02-30", "-1", "0", "-100000000000000000000", "1e20",
    "99999999999999999999", "abc", "x" * 5000, "a\x00b", "😀", "",
]
# fmt: on


def _membership(user, community):
    return Membership.objects.select_related("user").get(user=user, community=community)


def _login(request, persona):
    client = request.getfixturevalue("client")
    client.logout()
    client.force_login(request.getfixturevalue(persona))
    return client


# The cases reported


@pytest.mark.parametrize("name", ["insights:dashboard", "insights:report", "insights:core_economy"])
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0001-01", "0001-01", "when the time bank started"),
        ("2014-12", "2015-03", "when the time bank started"),  # the month before it started
        ("9999-12", "9999-12", "The period lies in the future."),
        ("2015-01", "{this_month}", "Choose a period of at most 10 years."),
    ],
)
def test_a_period_out_of_range_is_a_400_with_a_message(
    request, riverside, coordinator, name, start, end, message
):
    # 1. The time bank started in January 2015.
    riverside.started_on = datetime.date(2015, 1, 10)
    riverside.save(update_fields=["started_on"])
    this_month = services.community_today(riverside).strftime("%Y-%m")
    # 2. A coordinator asks for figures of a period it cannot have.
    client = _login(request, "coordinator")
    response = client.get(
        reverse(name, args=["riverside"]),
        {"start": start, "end": end.format(this_month=this_month)},
    )
    # 3. A 400 page that says why, not a 500.
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_default_period_starts_no_earlier_than_the_time_bank(request, riverside, coordinator):
    today = services.community_today(riverside)
    riverside.started_on = today.replace(day=1)
    riverside.save(update_fields=["started_on"])
    response = _login(request, "coordinator").get(reverse("insights:dashboard", args=["riverside"]))
    assert response.status_code == 200
    assert response.context["period"].start == today.replace(day=1)
    # The default period, sent back as it is shown, is a valid period.
    month = today.strftime("%Y-%m")
    assert (
        _login(request, "coordinator")
        .get(reverse("insights:dashboard", args=["riverside"]), {"start": month, "end": month})
        .status_code
        == 200
    )


@pytest.mark.parametrize("started_on", [datetime.date(1, 1, 1), datetime.date(9999, 12, 31)])
@pytest.mark.parametrize(
    "name", ["insights:dashboard", "insights:network", "insights:areas", "insights:core_economy"]
)
def test_an_odd_start_of_the_time_bank_still_gives_figures(
    request, riverside, coordinator, started_on, name
):
    """``started_on`` is the coordinators' own setting: the year 1 or 9999 there must not break the figures."""
    riverside.started_on = started_on
    riverside.save(update_fields=["started_on"])
    assert _login(request, "coordinator").get(reverse(name, args=["riverside"])).status_code == 200


@pytest.mark.parametrize("name", ["insights:network", "insights:areas"])
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0001-01-01", "0001-01-02", "The time bank started on 2015-01-10"),
        ("2015-01-10", "9999-12-31", "The period must not end in the future."),
    ],
)
def test_a_window_out_of_range_is_a_form_error(
    request, riverside, coordinator, name, start, end, message
):
    riverside.started_on = datetime.date(2015, 1, 10)
    riverside.save(update_fields=["started_on"])
    response = _login(request, "coordinator").get(
        reverse(name, args=["riverside"]), {"start": start, "end": end}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["tables"] == []


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (
            "min_minutes",
            "-100000000000000000000",
            "Enter at least −100,000 hours.",
        ),
        ("min_minutes", "-1e20", "Enter a time such as 1:30, 1.5 hours or 90 minutes."),
        ("max_minutes", "99999999999", "Enter at most 100,000 hours."),
        ("max_minutes", "9" * 5000, "Enter a time such as 1:30, 1.5 hours or 90 minutes, in fewer than 50 characters."),
    ],
)
def test_a_huge_limit_exception_is_a_form_error_and_changes_nothing(
    request, riverside, member, coordinator, field, value, error
):
    # 1. A coordinator opens Alice's limits and types an enormous number of hours.
    alice = _membership(member, riverside)
    account = services.account_for_membership(alice)
    audit = AuditEntry.objects.count()
    client = _login(request, "coordinator")
    response = client.post(
        reverse("ledger:limits", args=["riverside", alice.pk]), {field: value, "reason": "x"}
    )
    # 2. The form says what is wrong, next to the field ...
    assert response.status_code == 200
    assert error in response.context["form"].errors[field]
    # 3. ... and nothing changed.
    account.refresh_from_db()
    assert (account.min_override, account.max_override, account.limit_reason) == (None, None, "")
    assert AuditEntry.objects.count() == audit


def test_outreach_message_for_a_site_admin_without_membership_is_a_403_with_a_message(
    request, riverside, member, site_admin
):
    # 1. A site admin (no membership in riverside) opens the outreach message page for Alice.
    url = reverse(
        "insights:outreach_message", args=["riverside", _membership(member, riverside).pk]
    )
    client = _login(request, "site_admin")
    for response in (client.get(url), client.post(url, {"body": "Hello"})):
        # 2. A 403 page saying why (messages are between members), not a 500; nothing sent.
        assert response.status_code == 403
        assert (
            "You need a membership in Riverside Time Bank to write to its members."
            in response.content.decode()
        )
    assert Conversation.objects.count() == 0


# The sweeps

CANDIDATE_PARAMETERS = (
    "start",
    "end",
    "period",
    "quarter",
    "window",
    "days",
    "page",
    "q",
    "month",
    "group",
    "member",
    "post",
    "kind",
    "csv",
    "introduce",
    "category",
    "area",
    "within",
    "sort",
    "other",
    "year",
    "status",
    "step",
    "organisation",
    "date",
    "from",
    "to",
    "on",
    "next",
)


@pytest.fixture
def world(riverside, member, second_member, coordinator, assisted_member, applicant):
    """One of everything a URL can point at, made through the services; ids by URL keyword."""
    from coproduce.conversations import services as conversations
    from coproduce.groups import services as groups
    from coproduce.insights.assessment import CELLS, Cell, record_self_assessment
    from coproduce.market.services import create_post
    from coproduce.members.models import Application, Role
    from coproduce.partners import services as partners
    from coproduce.partners.models import Staff
    from coproduce.referrals.services import make_referral

    riverside.started_on = datetime.date(2015, 1, 10)
    riverside.save(update_fields=["started_on"])
    alice, bob = _membership(member, riverside), _membership(second_member, riverside)
    edna = _membership(assisted_member, riverside)
    today = services.community_today(riverside)
    category = riverside.categories.filter(parent__isnull=False).first()
    transfer = services.record_exchange(
        community=riverside,
        giver=bob,
        receiver=alice,
        minutes=60,
        performed_on=today,
        keyed_by=member,
        idempotency_key="w1",
        category=category,
    )
    post = create_post(
        author=alice, actor=member, kind="request", title="Help with weeding", category=category
    )
    surgery = partners.save_organisation(
        community=riverside, actor=coordinator, name="Riverside Surgery", type="health"
    )
    sam = testing.make_person("sam@example.org", "Sam Staff")
    testing.join(sam, riverside, role=Role.PARTNER_STAFF)
    partners.add_staff(
        surgery,
        actor=coordinator,
        membership=_membership(sam, riverside),
        started_on=datetime.date(2020, 1, 1),
    )
    opportunity = partners.post_opportunity(
        surgery, actor=coordinator, title="Garden day", starts_on=today + datetime.timedelta(days=7)
    )
    listing = partners.save_listing(
        surgery, actor=coordinator, title="Swim", description="", minutes=60
    )
    group = groups.create_group(
        community=riverside, actor=coordinator, name="Walkers", facilitators=[bob]
    )
    starts = timezone.now() + datetime.timedelta(days=2)
    session = groups.add_session(
        group,
        actor=coordinator,
        starts_at=starts,
        capacity=5,
        place="Hall",
        ends_at=starts + datetime.timedelta(hours=1),
    )
    conversation = conversations.start_conversation(
        sender=alice, recipient=bob, body="Hello", actor=member
    )
    report = conversations.report(
        community=riverside, reporter=member, reported=second_member, reason="Rude"
    )
    referral = make_referral(surgery, actor=sam, reason="isolation", consent=True, name="Nora New")
    assessment = record_self_assessment(
        surgery, actor=coordinator, cells={c: Cell(3, "") for c in CELLS}, assessed_on=today
    )
    groups.join_group(group, membership=alice)
    thread = groups.start_thread(group, membership=alice, title="Hi", body="Hello")
    application = Application.objects.get(user=applicant)
    return {
        "slug": "riverside",
        "member_pk": alice.pk,
        "organisation_pk": surgery.pk,
        "thread_pk": thread.pk,
        "staff_pk": Staff.objects.get(user=sam).pk,
        "message_pk": conversation.messages.first().pk,
        "token": groups.feed_token(alice).token,
        "assisted": edna.pk,
        "bob": bob.pk,
        # pk: by URL name, else by the URL's namespace
        "members": alice.pk,
        "members:edit_for": edna.pk,
        "members:application": application.pk,
        "members:application_notes": application.pk,
        "members:application_approve": application.pk,
        "members:application_decline": application.pk,
        "ledger": transfer.pk,
        "ledger:limits": alice.pk,
        "partners": surgery.pk,
        "partners:buy": listing.pk,
        "groups": group.pk,
        "referrals": referral.pk,
        "market": post.pk,
        "conversations": conversation.pk,
        "conversations:start": post.pk,
        "conversations:report": report.pk,
        "insights": assessment.pk,
        "communities": category.pk,
        **dict.fromkeys(
            [
                f"partners:{n}"
                for n in (
                    "opportunity",
                    "sign_up",
                    "sign_up_for",
                    "withdraw",
                    "cancel",
                    "attendance",
                )
            ],
            opportunity.pk,
        ),
        **dict.fromkeys(
            [f"groups:{n}" for n in ("session", "book", "unbook", "session_cancel", "register")],
            session.pk,
        ),
    }


def _project_urls(ids):
    """(url name, path) of every page of the project's own apps, with real ids filled in."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns,
                    f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace,
                )
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and pattern.callback.__module__.startswith("coproduce.")
            ):
                yield f"{namespace}{pattern.name}", pattern

    by_member = {
        "market:new_for": "assisted",
        "members:edit_for": "assisted",
        "market:introduce": "bob",
    }
    for name, pattern in walk(get_resolver().url_patterns):
        if name.startswith("admin:"):
            continue
        kwargs = {}
        for key, converter in pattern.pattern.converters.items():
            if isinstance(converter, UUIDConverter):  # directory entries: an id nobody has (a 404, never a 500)
                kwargs[key] = "00000000-0000-4000-8000-000000000001"
            elif key == "pk":
                kwargs[key] = ids.get(name, ids.get(name.split(":")[0], 1))
            elif key == "member_pk":
                kwargs[key] = ids[by_member.get(name, "member_pk")]
            else:
                kwargs[key] = ids.get(key, 1)
        yield name, reverse(name, kwargs=kwargs)


@contextmanager
def reads_of_query_strings(monkeypatch):
    """The names a view reads from ``request.GET`` ("*" when it reads every value)."""
    read: set[str] = set()
    for method in ("__getitem__", "get", "getlist", "__contains__"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, _original=original, **kwargs):
            if not self._mutable:  # request.GET itself, not a copy nor one being built
                read.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, recording)
    for method in ("values", "items", "lists"):
        original = getattr(QueryDict, method)

        def reading_all(self, *args, _original=original, **kwargs):
            if not self._mutable:
                read.add("*")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, reading_all)
    try:
        yield read
    finally:
        monkeypatch.undo()


def _send(client, method, url, data, problems, label):
    """One request in a savepoint undone afterwards, so every request meets the same data."""
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, data)
            transaction.set_rollback(True)
    except Exception as error:  # the test client re-raises what the view raised: that is the 500
        problems.append(f"{label}: {type(error).__name__}: {str(error)[:120]}")
        return
    if response.status_code >= 500:
        problems.append(f"{label}: {response.status_code}")


@pytest.mark.parametrize("persona", ["coordinator", "member"])
def test_no_get_page_answers_odd_query_values_with_a_500(request, world, monkeypatch, persona):
    client = _login(request, persona)
    problems: list[str] = []
    swept = 0
    for name, url in _project_urls(world):
        with reads_of_query_strings(monkeypatch) as read:
            for query in ({}, dict.fromkeys(CANDIDATE_PARAMETERS, "1")):
                _send(client, "get", url, query, problems, f"{name} {url}?{query and 'all=1'}")
        names = sorted((read - {"*"}) | ({"q", "anything"} if "*" in read else set()))
        if not names:
            continue
        swept += 1
        for value in ODD_VALUES:
            for param in names:
                _send(
                    client,
                    "get",
                    url,
                    {param: value},
                    problems,
                    f"{name} {url}?{param}={value[:20]!r}",
                )
            if len(names) > 1:
                _send(
                    client,
                    "get",
                    url,
                    dict.fromkeys(names, value),
                    problems,
                    f"{name} {url}?all={value[:20]!r}",
                )
    assert swept >= {"coordinator": 25, "member": 10}[persona], (
        f"only {swept} pages read a query string"
    )
    assert problems == [], "\n".join(problems)


# Forms with numbers or dates: (persona, URL name, URL keywords from the world, valid data, fields to spoil).
# fmt: off
POST_FORMS = [
    ("member", "ledger:record", {}, {"direction": "received", "other": "Bob Brown", "minutes": "60",
                                     "performed_on": "{today}", "token": "t"}, ["minutes", "performed_on", "other"]),
    ("member", "ledger:give", {}, {"to": "Bob Brown", "minutes": "60", "token": "t"}, ["minutes", "to"]),
    ("coordinator", "ledger:record_for", {}, {"giver": "Bob Brown", "receiver": "Alice Ashby", "minutes": "60",
                                              "performed_on": "{today}", "token": "t"}, ["minutes", "performed_on"]),
    ("coordinator", "ledger:grant", {}, {"to": "Alice Ashby", "minutes": "60", "reason": "x", "token": "t"},
     ["minutes"]),
    ("coordinator", "ledger:limits", {"pk": "member_pk"}, {"min_minutes": "-10", "max_minutes": "10", "reason": "x"},
     ["min_minutes", "max_minutes"]),
    ("coordinator", "ledger:bulk_entry", {}, {
        "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-0-giver": "Bob Brown",
        "rows-0-receiver": "Alice Ashby", "rows-0-minutes": "60", "rows-0-performed_on": "{today}", "token": "t"},
     ["rows-TOTAL_FORMS", "rows-0-minutes", "rows-0-performed_on"]),
    ("coordinator", "partners:opportunity_new", {"pk": "organisation_pk"}, {
        "title": "Litter pick", "starts_on": "{today}", "places_needed": "3"}, ["starts_on", "ends_on", "places_needed"]),
    ("coordinator", "partners:listing_new", {"pk": "organisation_pk"}, {"title": "Swim", "minutes": "60"},
     ["minutes"]),
    ("coordinator", "groups:session_new", {"pk": "groups"}, {
        "starts_at": "{tomorrow}T10:00", "ends_at": "{tomorrow}T11:00", "place": "Hall", "capacity": "5"},
     ["starts_at", "ends_at", "capacity"]),
    ("coordinator", "referrals:advance", {"pk": "referrals"}, {"step": "contacted", "on": "{today}"}, ["on"]),
    ("member", "market:new", {}, {"kind": "offer", "title": "Ironing", "category": "{category}",
                                  "duration_minutes": "60"}, ["duration_minutes", "availability", "category"]),
    ("coordinator", "outcomes:enter", {}, {"member": "{member_pk}", "answered_on": "{today}", "life_satisfaction": "7"},
     ["answered_on", "life_satisfaction", "member"]),
    ("member", "outcomes:wellbeing", {}, {"life_satisfaction": "7"}, ["life_satisfaction", "loneliness"]),
    ("coordinator", "insights:new_assessment", {"organisation_pk": "organisation_pk"}, {"assessed_on": "{today}"},
     ["assessed_on", "score_assets_individual"]),
    ("coordinator", "safeguarding:member", {"member_pk": "member_pk"}, {
        "check_type": "dbs_basic", "checked_on": "{today}", "outcome": "clear"}, ["checked_on", "expires_on"]),
    ("coordinator", "communities:areas", {}, {"code": "E0599", "name": "New area", "latitude": "51.5",
                                              "longitude": "-0.1"}, ["latitude", "longitude"]),
]
# fmt: on


@pytest.mark.parametrize(
    ("persona", "name", "kwargs", "data", "fields"),
    [pytest.param(*row, id=row[1]) for row in POST_FORMS if row[4]],
)
def test_no_form_answers_odd_numbers_or_dates_with_a_500(
    request, world, riverside, persona, name, kwargs, data, fields
):
    client = _login(request, persona)
    today = services.community_today(riverside)
    values = {
        "today": today.isoformat(),
        "tomorrow": (today + datetime.timedelta(days=1)).isoformat(),
        "category": riverside.categories.filter(parent__isnull=False).first().pk,
        "member_pk": world["member_pk"],
    }
    url = reverse(
        name, kwargs={"slug": "riverside", **{key: world[value] for key, value in kwargs.items()}}
    )
    valid = {key: value.format(**values) for key, value in data.items()}
    problems: list[str] = []
    for field in fields:
        for value in ODD_FORM_VALUES:
            _send(
                client,
                "post",
                url,
                valid | {field: value},
                problems,
                f"{name} {field}={value[:20]!r}",
            )
    assert problems == [], "\n".join(problems)


def test_community_settings_answer_odd_numbers_and_dates_with_a_form_error(
    request, riverside, coordinator
):
    from django import forms

    from coproduce.communities.forms import CommunitySettingsForm
    from coproduce.lib.forms import DurationMinutesField

    form = CommunitySettingsForm(instance=riverside)
    valid = {name: "" if value is None else str(value) for name, value in form.initial.items()}
    numeric = [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.IntegerField | forms.DateField | forms.DecimalField | DurationMinutesField)
    ]
    assert "started_on" in numeric and "min_balance_minutes" in numeric
    client = _login(request, "coordinator")
    url = reverse("communities:settings", args=["riverside"])
    problems: list[str] = []
    for field in numeric:
        for value in ODD_FORM_VALUES:
            _send(
                client,
                "post",
                url,
                valid | {field: value},
                problems,
                f"settings {field}={value[:20]!r}",
            )
    assert problems == [], "\n".join(problems)
