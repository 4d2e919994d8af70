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
