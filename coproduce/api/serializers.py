"""The shapes the API answers with (read-only views of the domain; writes go through services)."""

from rest_framework import serializers

from coproduce.partners.models import CheckRequired
from coproduce.referrals.models import Reason


def validated(serializer_class, request) -> dict:
    """The request's body read by ``serializer_class``; a 400 naming each field otherwise."""
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return given.validated_data


class CommunityRole(serializers.Serializer):
    slug = serializers.CharField(source="community.slug")
    name = serializers.CharField(source="community.name")
    role = serializers.CharField()


class Me(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    communities = CommunityRole(many=True)


class Balance(serializers.Serializer):
    community = serializers.CharField()
    minutes = serializers.IntegerField(help_text="The balance in minutes (every hour counts the same).")
    lowest_minutes = serializers.IntegerField(help_text="How low the balance may go (0 or below).")
    highest_minutes = serializers.IntegerField(allow_null=True, help_text="How high it may go; null: no limit.")


class StatementLine(serializers.Serializer):
    transfer = serializers.IntegerField(source="transfer_id")
    date = serializers.DateField(source="transfer.performed_on")
    kind = serializers.CharField(source="transfer.kind")
    category = serializers.CharField(source="transfer.category.name", default="", allow_blank=True)
    description = serializers.CharField(source="transfer.description", allow_blank=True)
    other_side = serializers.CharField(allow_blank=True, help_text="Who it was with, in words.")
    minutes = serializers.IntegerField(source="amount", help_text="Gained (positive) or paid (negative).")
    balance_after = serializers.IntegerField()


class NewExchange(serializers.Serializer):
    """An exchange between you and another member, as the "Record an exchange" page takes it."""

    direction = serializers.ChoiceField(choices=[("received", "They helped me: posted now"),
                                                 ("gave", "I helped them: they are asked to confirm")])
    other_member = serializers.IntegerField(help_text="The other member's number (as on their profile).")
    minutes = serializers.IntegerField(help_text="How long, in whole minutes.")
    performed_on = serializers.DateField()
    category = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    idempotency_key = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$", help_text="Your own key for this request (8-64 letters, digits, - or _): "
        "sending it again records nothing new and answers with the first exchange.")


class Exchange(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="posted, pending (waiting for the other member), held, declined...")
    kind = serializers.CharField()
    performed_on = serializers.DateField()
    minutes = serializers.IntegerField()
    description = serializers.CharField(allow_blank=True)
    category = serializers.CharField(source="category.name", default="", allow_blank=True)
    recorded_by = serializers.CharField(source="keyed_by.name")


class Post(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="offer or request")
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    category = serializers.CharField(source="category.name")
    area = serializers.CharField(source="area.name", default=None, allow_null=True,
                                 help_text="null: online, or anywhere")
    author = serializers.CharField(source="author.user.name")
    author_member = serializers.IntegerField(source="author_id", help_text="The author's member number.")
    duration_minutes = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class NewPost(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("offer", "offer"), ("request", "request")])
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    category = serializers.IntegerField(help_text="One of the community's categories (its id).")
    area = serializers.IntegerField(required=False, allow_null=True, default=None,
                                    help_text="One of the community's areas (its id); null: online or anywhere.")
    duration_minutes = serializers.IntegerField(required=False, default=60)


class PostPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = Post(many=True)


def page_of(item, name: str):
    """A paged list's shape (PageNumberPagination's), named for the schema."""
    return type(name, (serializers.Serializer,), {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
        "__module__": __name__,
    })


ID = {"min_value": 1, "max_value": 2**31 - 1}  # a row's id: never beyond what the database holds


# ---------------------------------------------------------------------------- suggestions


class RequestMatch(serializers.Serializer):
    """An open request that matches what you offer, with why, as "Requests that match what you offer"."""

    request = Post(help_text="The request.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it matches, in words.")


class Helper(serializers.Serializer):
    """Someone who could help with a request, as "People who could help" on the request's page."""

    member = serializers.IntegerField(source="membership.pk", help_text="Their member number.")
    name = serializers.CharField(source="membership.user.name")
    offer = serializers.IntegerField(source="offer.pk", default=None, allow_null=True,
                                     help_text="Their open offer that matches (its id), if any.")
    offer_title = serializers.CharField(source="offer.title", default=None, allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


# ---------------------------------------------------------------------------- conversations


class Conversation(serializers.Serializer):
    id = serializers.IntegerField()
    post = serializers.IntegerField(source="post_id", allow_null=True,
                                    help_text="The offer or request it is about; null: a direct conversation.")
    post_title = serializers.CharField(source="post.title", default=None, allow_null=True)
    other_name = serializers.CharField(allow_null=True, allow_blank=True, help_text="Who it is with.")
    last_message_at = serializers.DateTimeField()
    unread = serializers.IntegerField(help_text="Messages from the others you have not read yet.")


ConversationPage = page_of(Conversation, "ConversationPage")


class Message(serializers.Serializer):
    id = serializers.IntegerField()
    sender = serializers.CharField(source="sender.name")
    mine = serializers.BooleanField(help_text="Sent by the token's person.")
    body = serializers.CharField()
    sent_at = serializers.DateTimeField(source="created_at")


MessagePage = page_of(Message, "MessagePage")


class NewMessage(serializers.Serializer):
    body = serializers.CharField(max_length=2000, help_text="The message, up to 2,000 characters.")


# ---------------------------------------------------------------------------- groups


class Group(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    host = serializers.CharField(source="organisation.name", default=None, allow_null=True,
                                 help_text="The partner organisation hosting it; null: the time bank.")
    join_policy = serializers.CharField(help_text="open, or request (a facilitator accepts each person)")
    my_status = serializers.CharField(allow_null=True,
                                      help_text="Your place: invited, requested, active, left; null: none.")
    my_role = serializers.CharField(allow_null=True, help_text="member, supporter or facilitator; null: none.")


GroupPage = page_of(Group, "GroupPage")


class GroupSession(serializers.Serializer):
    id = serializers.IntegerField()
    group = serializers.IntegerField(source="group_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(allow_blank=True)
    online = serializers.BooleanField(help_text="It can be joined online.")
    online_link = serializers.CharField(allow_null=True, allow_blank=True,
                                        help_text="Only for the group's members and leads; null otherwise.")
    repeats = serializers.CharField(allow_null=True, help_text="weekly, fortnightly, monthly; null: once.")
    status = serializers.CharField(help_text="scheduled or cancelled")
    my_booking = serializers.CharField(allow_null=True, help_text="booked, waiting; null: not booked.")


GroupSessionPage = page_of(GroupSession, "GroupSessionPage")


class GroupPlace(serializers.Serializer):
    group = serializers.IntegerField(source="group_id")
    status = serializers.CharField(help_text="active (in the group), or requested (a facilitator decides)")
    role = serializers.CharField()


class Register(serializers.Serializer):
    """Who came to a session, as the register page takes it."""

    present = serializers.ListField(child=serializers.IntegerField(**ID), allow_empty=True, max_length=500,
                                    help_text="Member numbers of the people who came.")
    idempotency_key = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$",
                                             help_text="Your own key: sending it again records nothing new.")


class RegisterTaken(serializers.Serializer):
    session = serializers.IntegerField()
    present = serializers.IntegerField(help_text="How many people came.")
    transfer = serializers.IntegerField(allow_null=True, help_text="The ledger transfer crediting the leads "
                                        "who came; null: nobody to credit.")
    transfer_status = serializers.CharField(allow_null=True, help_text="posted, or held for a coordinator.")


# ---------------------------------------------------------------------------- partners


class Opportunity(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    place = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    times = serializers.CharField(allow_blank=True)
    places_needed = serializers.IntegerField()
    signed_up = serializers.IntegerField()
    expected_minutes = serializers.IntegerField(allow_null=True)
    check_required = serializers.CharField(allow_blank=True, help_text="The safeguarding check it needs; "
                                           "empty: none.")
    status = serializers.CharField()


OpportunityPage = page_of(Opportunity, "OpportunityPage")


class NewOpportunity(serializers.Serializer):
    """An opportunity, as the "Post an opportunity" page takes it."""

    title = serializers.CharField(max_length=150)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None,
                                    help_text="The last date; null: a single day.")
    times = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    places_needed = serializers.IntegerField(min_value=1, max_value=500, required=False, default=1)
    expected_minutes = serializers.IntegerField(required=False, allow_null=True, default=None,
                                                help_text="Each person's expected time, in whole minutes "
                                                "(steps of 15); null: it varies.")
    check_required = serializers.ChoiceField(required=False, default="",
                                             choices=[("", "none"), *CheckRequired.choices])


class Signup(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="membership_id", help_text="Their member number.")
    name = serializers.CharField(source="membership.user.name")
    minutes = serializers.IntegerField(allow_null=True, help_text="Time confirmed; null: not yet.")
    transfer = serializers.IntegerField(source="transfer_id", allow_null=True)
    transfer_status = serializers.CharField(source="transfer.status", default=None, allow_null=True)


SignupPage = page_of(Signup, "SignupPage")


class Attended(serializers.Serializer):
    member = serializers.IntegerField(**ID, help_text="The member number of someone who signed up.")
    minutes = serializers.IntegerField(help_text="How long they took part, in whole minutes (steps of 15).")


class Attendance(serializers.Serializer):
    """Who came and for how long, as the opportunity's attendance page takes it."""

    performed_on = serializers.DateField(help_text="A day the opportunity ran, up to today.")
    attended = Attended(many=True, max_length=500)
    idempotency_key = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$",
                                             help_text="Your own key: sending it again records nothing new.")


class EveryoneCame(serializers.Serializer):
    performed_on = serializers.DateField(help_text="A day the opportunity ran, up to today.")
    idempotency_key = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$",
                                             help_text="Your own key: sending it again records nothing new.")


class Skipped(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField()


class AttendanceRecorded(serializers.Serializer):
    transfer = serializers.IntegerField(allow_null=True, help_text="The ledger transfer; null: nobody credited.")
    transfer_status = serializers.CharField(allow_null=True, help_text="posted, or held for a coordinator.")
    credited = serializers.ListField(child=serializers.IntegerField(), help_text="Member numbers credited.")
    skipped = Skipped(many=True)
    repeated = serializers.BooleanField(help_text="The same key was sent before: the first result again.")


class Referral(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    referred_by = serializers.CharField(source="referred_by.name")
    person = serializers.CharField(source="person_name")
    member = serializers.IntegerField(source="membership_id", allow_null=True)
    contact = serializers.CharField(allow_blank=True)
    to_group = serializers.CharField(source="group.name", default=None, allow_null=True)
    to_service = serializers.CharField(source="service.name", default=None, allow_null=True)
    reason = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    step = serializers.CharField(help_text="received, contacted, joined, first_exchange or closed")
    closed_reason = serializers.CharField(allow_blank=True)
    consent_recorded_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


ReferralPage = page_of(Referral, "ReferralPage")


class NewReferral(serializers.Serializer):
    """A referral, as the "Refer someone" page takes it: an existing member, or someone new by name."""

    member = serializers.IntegerField(**ID, required=False, allow_null=True, default=None,
                                      help_text="An existing member's number.")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150,
                                 help_text="Or the name of someone new.")
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    group = serializers.IntegerField(**ID, required=False, allow_null=True, default=None,
                                     help_text="A peer-support group to refer to (its id); null: the time bank.")
    service = serializers.UUIDField(required=False, allow_null=True, default=None,
                                    help_text="Or a service in the directory (its id).")
    reason = serializers.ChoiceField(choices=Reason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    consent = serializers.BooleanField(help_text="The person agrees to be referred and for these details to be "
                                       "shared.")


# ---------------------------------------------------------------------------- public figures


class Quarter(serializers.Serializer):
    quarter = serializers.DateField(help_text="Its first day: ask for it with ?quarter=.")
    label = serializers.CharField()


class FigureTable(serializers.Serializer):
    name = serializers.CharField()
    caption = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                 help_text="Each row's cells as the page prints them (\"fewer than 5\", "
                                 "\"not shown\").")


class ReleaseVersion(serializers.Serializer):
    version = serializers.IntegerField()
    released_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True, help_text="Why a correction was published.")


class Release(serializers.Serializer):
    quarter = serializers.DateField(source="period_start")
    label = serializers.CharField()
    version = serializers.IntegerField()
    released_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True)
    changes = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                    help_text="[table caption, row] that differ from the version before.")
    k = serializers.IntegerField(help_text="Counts below k are shown as \"fewer than k\".")
    rounded = serializers.BooleanField(help_text="Counts are rounded to multiples of 5 instead.")
    versions = ReleaseVersion(many=True)
    tables = FigureTable(many=True)


class Figures(serializers.Serializer):
    community = serializers.CharField()
    quarters = Quarter(many=True, help_text="The quarters released so far, latest first.")
    release = Release(allow_null=True, help_text="null: no quarter has been released yet.")
