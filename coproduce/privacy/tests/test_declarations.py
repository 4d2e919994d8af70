"""Point 5 and the download's completeness start here: every model that points at a person says
what it holds, and the declarations are checked against the models themselves."""

import pytest
from django.apps import apps
from django.core.management import call_command

from coproduce.accounts.models import User
from coproduce.conversations.models import Message
from coproduce.insights.models import PairMonth
from coproduce.lib.personal_data import PersonalData, Purpose
from coproduce.members.models import Membership
from coproduce.privacy import registry


def _independently_pointing_at_people():
    """Models with a column referring to a user, a membership or a ledger account, found from the
    database's own foreign keys rather than through the registry's helper."""
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            target = getattr(field.remote_field, "model", None)
            if target is not None and target._meta.label in {"accounts.User", "members.Membership", "ledger.Account"}:
                found.add(model._meta.label)
    return found


def test_every_model_that_points_at_a_person_declares_what_it_holds():
    declared = {item.label for item in registry.declarations()}
    assert _independently_pointing_at_people() - declared == set()
    assert {"accounts.User", "ledger.Account", "ledger.Entry", "conversations.Message"} <= declared
    assert all(problem == [] for problem in map(registry.problems_with, apps.get_models()))


def test_a_model_without_its_declaration_is_refused(monkeypatch):
    monkeypatch.delattr(Message, "personal_data")
    assert registry.problems_with(Message) == ["conversations.Message points at people but declares no personal_data"]


def test_a_field_pointing_at_a_person_must_be_classified(monkeypatch):
    declaration = PairMonth.personal_data
    monkeypatch.setattr(Message, "personal_data", PersonalData(
        title="x", about=("conversation__participants__user",), purpose=Purpose.MESSAGES,
        basis=declaration.basis, seen_by=declaration.seen_by, kept=declaration.kept, free_text=("bod",)))
    assert registry.problems_with(Message) == [
        "conversations.Message.sender points at a person but is neither in about nor in names",
        "conversations.Message.free_text names 'bod', which it does not have",
    ]


@pytest.mark.parametrize("lookup", ["conversation", "conversation__participants", "sender__name", "nothing"])
def test_a_lookup_must_lead_to_a_user(monkeypatch, lookup):
    declaration = Message.personal_data
    monkeypatch.setattr(Message, "personal_data", PersonalData(
        title="x", about=("sender", lookup), purpose=declaration.purpose, basis=declaration.basis,
        seen_by=declaration.seen_by, kept=declaration.kept))
    assert registry.problems_with(Message) == [f"conversations.Message: the lookup {lookup!r} does not lead to a user"]


def test_manage_py_check_reports_an_undeclared_model(monkeypatch):
    monkeypatch.delattr(Message, "personal_data")
    with pytest.raises(Exception, match=r"privacy\.E001"):
        call_command("check")


def test_secrets_are_withheld_from_every_copy():
    """Hashes, keys and tokens that would let someone act as the person never leave in a copy."""
    withheld = {item.label: set(item.declaration.withheld) for item in registry.about_people()}
    assert "password" in withheld["accounts.User"]
    assert "data" in withheld["mfa.Authenticator"]  # the TOTP secret and recovery codes
    assert "pin_hash" in withheld["rewards.MemberCard"]
    assert "secret_hash" in withheld["api.AccessToken"]
    assert "token" in withheld["groups.FeedToken"]
    assert "note" in withheld["safeguarding.Check"]  # where a certificate number could be typed


def test_health_related_records_are_marked_special_category():
    special = {item.label for item in registry.about_people() if item.declaration.special}
    assert {"referrals.Referral", "referrals.ReferralStep", "groups.GroupMember", "groups.Attendance",
            "outcomes.WellbeingResponse"} <= special
    assert "accounts.User" not in special


def test_people_and_memberships_are_what_the_lookups_reach():
    assert registry.person_fields(Membership) == [Membership._meta.get_field("user"),
                                                  Membership._meta.get_field("registered_by")]
    assert registry.person_fields(User) == []
