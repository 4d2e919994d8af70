"""The shapes the API answers with (read-only views of the domain; writes go through services)."""

from rest_framework import serializers


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
