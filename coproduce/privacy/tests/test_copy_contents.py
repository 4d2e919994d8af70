"""Point 1, the test the issue names: for a person with data in every app, the copy holds every
item about her (in both her communities) and nothing about anyone else, and no secret."""

import io
import json
import zipfile

import pytest
from allauth.mfa.models import Authenticator

from coproduce.api.models import AccessToken
from coproduce.groups.models import FeedToken
from coproduce.ledger.models import Entry
from coproduce.privacy import archive, registry
from coproduce.privacy.tests.everywhere import person_with_data_everywhere
from coproduce.rewards.models import MemberCard, RedemptionCode


@pytest.fixture
def everywhere(riverside, hilltop):
    return person_with_data_everywhere(riverside, hilltop)


@pytest.fixture
def copy_of_alice(everywhere):
    files = zipfile.ZipFile(io.BytesIO(archive.build(everywhere.alice)))
    return files, json.loads(files.read("data.json"))


def test_the_copy_holds_a_record_of_every_kind_that_is_about_her(everywhere, copy_of_alice):
    _files, data = copy_of_alice
    labels = {declared.label for declared in registry.about_people()}
    assert set(data["records"]) == labels
    empty = [label for label, record in data["records"].items() if not record["rows"]]
    assert empty == []


def test_every_text_she_wrote_or_that_was_written_about_her_is_in_it(everywhere, copy_of_alice):
    files, _data = copy_of_alice
    text = files.read("data.json").decode()
    assert [marker for marker in everywhere.markers if marker not in text] == []
    page = files.read("index.html").decode()
    assert [marker for marker in everywhere.markers if marker not in page] == []
    # ... and nothing of other people's that is not about her.
    everything = b"".join(files.read(name) for name in files.namelist()).decode()
    assert [text for text in everywhere.not_hers if text in everything] == []


def test_her_statement_in_each_community_is_exact(everywhere, copy_of_alice):
    """Every ledger entry of her accounts, each with the balance after it, recomputed here from
    the ledger's own rows: the copy is her statement in both communities."""
    _files, data = copy_of_alice
    record = data["records"]["ledger.Entry"]
    rows = [dict(zip(record["columns"], row, strict=True)) for row in record["rows"]]
    expected = list(Entry.objects.filter(account__membership__user=everywhere.alice).order_by("pk")
                    .values_list("pk", "amount", "balance_after", "account__community__name"))
    assert [(row["id"], row["amount"], row["balance_after"], row["community"]) for row in rows] == expected
    assert {row["community"] for row in rows} == {"Riverside Time Bank", "Hilltop Time Bank"}
    members = data["records"]["members.Membership"]["rows"]
    assert len(members) == 2


def test_who_made_a_referral_is_named(everywhere, copy_of_alice):
    _files, data = copy_of_alice
    record = data["records"]["referrals.Referral"]
    [row] = [dict(zip(record["columns"], row, strict=True)) for row in record["rows"]]
    assert row["referred_by"] and row["referred_by"] != everywhere.alice.name


def test_no_secret_leaves_in_a_copy(everywhere, copy_of_alice):
    files, _data = copy_of_alice
    everything = b"".join(files.read(name) for name in files.namelist()).decode()
    alice = everywhere.alice
    secrets = [alice.password, MemberCard.objects.get(membership__user=alice).pin_hash,
               *AccessToken.objects.filter(user=alice).values_list("secret_hash", flat=True),
               *FeedToken.objects.filter(membership__user=alice).values_list("token", flat=True),
               *RedemptionCode.objects.filter(membership__user=alice).values_list("code", flat=True)]
    totp = Authenticator.objects.get(user=alice, type=Authenticator.Type.TOTP).data["secret"]
    assert [secret for secret in [*secrets, totp] if secret and secret in everything] == []


def test_csv_files_cannot_start_a_formula(everywhere, riverside):
    alice = everywhere.alice
    alice.about_me = '=HYPERLINK("http://evil","x")'
    alice.save(update_fields=["about_me"])
    files = zipfile.ZipFile(io.BytesIO(archive.build(alice)))
    assert "'=HYPERLINK" in files.read("csv/accounts_User.csv").decode()
