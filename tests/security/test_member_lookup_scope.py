"""Point 4: a member number typed, posted or put in a link names only an active member of the
same community.

The attack: someone types (or posts, or puts in a query string) a member number that belongs to
another community, or to someone who left, and the page answers with that person's name, so
trying numbers one by one lists everyone on the installation. Each test makes that request
step by step and checks the page names nobody, says what is wrong, and writes nothing.
"""

import datetime

import pytest
from django.urls import reverse

from coproduce import testing
from coproduce.audit.models import AuditEntry
from coproduce.conversations.models import Block
from coproduce.groups.models import Group, GroupMember
from coproduce.groups.services import create_group
from coproduce.ledger.models import Transfer
from coproduce.market.models import Post
from coproduce.members.models import Membership, Role
from coproduce.members.services import leave_community
from coproduce.partners import services as partner_services
from coproduce.partners.models import Signup, Staff
from coproduce.referrals.models import Referral, ReferralStep
from coproduce.referrals.services import make_referral

ELSEWHERE = "Bob Hillside"
LEFT = "Lou Leaver"


def _membership(user, community):
    return Membership.objects.select_related("user").get(user=user, community=community)


@pytest.fixture
def elsewhere(hilltop):
    """A member of another community: riverside must never learn their name."""
    return testing.join(testing.make_person("bob.hillside@example.org", ELSEWHERE), hilltop)


@pytest.fixture
def leaver(riverside):
    """Someone who was a member of riverside and left."""
    user = testing.make_person("lou@example.org", LEFT)
    membership = testing.join(user, riverside)
    return leave_community(membership, actor=user)


@pytest.fixture
def people(riverside, member, second_member, coordinator, elsewhere, leaver):
    return {
        "alice": _membership(member, riverside),
        "bob": _membership(second_member, riverside),
        "elsewhere": elsewhere,
        "leaver": leaver,
    }


@pytest.fixture
def surgery(riverside, coordinator):
    return partner_services.save_organisation(
        community=riverside, actor=coordinator, name="Riverside Surgery", type="health"
    )


@pytest.fixture
def staff(riverside, coordinator, surgery):
    user = testing.make_person("sam@example.org", "Sam Staff")
    testing.join(user, riverside, role=Role.PARTNER_STAFF)
    partner_services.add_staff(
        surgery,
        actor=coordinator,
        membership=_membership(user, riverside),
        started_on=datetime.date(2020, 1, 1),
    )
    return user


@pytest.fixture
def things(riverside, coordinator, people, surgery, staff):
    """What the forms below act on: an opportunity, a group and a referral."""
    opportunity = partner_services.post_opportunity(
        surgery,
        actor=staff,
        title="Garden day",
        starts_on=datetime.date.today() + datetime.timedelta(days=7),
    )
    group = create_group(
        community=riverside, actor=coordinator, name="Carers' circle", facilitators=[people["bob"]]
    )
    referral = make_referral(
        surgery, actor=staff, reason="isolation", consent=True, name="Nora New"
    )
    return {
        "surgery": surgery.pk,
        "opportunity": opportunity.pk,
        "group": group.pk,
        "referral": referral.pk,
    }


def _written():
    """Everything the forms below could write."""
    return (
        Transfer.objects.count(),
        Staff.objects.count(),
        Signup.objects.count(),
        Group.objects.count(),
        GroupMember.objects.count(),
        Referral.objects.count(),
        ReferralStep.objects.count(),
        AuditEntry.objects.count(),
    )


# Every form with a member field, as (who fills it in, URL, the member field, the rest of the form).
# fmt: off
FORMS = [
    ("member", "/c/riverside/ledger/record/", "other",
     {"direction": "received", "minutes": "60", "performed_on": "{today}", "token": "t1"}),
    ("member", "/c/riverside/ledger/give/", "to", {"minutes": "60", "token": "t2"}),
    ("coordinator", "/c/riverside/coordinate/ledger/record/", "giver",
     {"receiver": "{bob}", "minutes": "60", "performed_on": "{today}", "token": "t3"}),
    ("coordinator", "/c/riverside/coordinate/ledger/record/", "receiver",
     {"giver": "{bob}", "minutes": "60", "performed_on": "{today}", "token": "t4"}),
    ("coordinator", "/c/riverside/coordinate/ledger/grant/", "to", {"minutes": "60", "reason": "x", "token": "t5"}),
    ("coordinator", "/c/riverside/coordinate/ledger/bulk/", "rows-0-giver",
     {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-0-receiver": "{bob}", "rows-0-minutes": "60",
      "rows-0-performed_on": "{today}", "token": "t6"}),
    ("coordinator", "/c/riverside/partners/{surgery}/staff/add/", "member", {"job_title": "Nurse"}),
    ("coordinator", "/c/riverside/opportunities/{opportunity}/sign-up-for/", "member", {}),
    ("coordinator", "/c/riverside/groups/new/", "facilitator",
     {"name": "Walkers", "join_policy": "open", "credit_rule": "facilitators"}),
    ("coordinator", "/c/riverside/groups/{group}/role/", "member", {"role": "supporter"}),
    ("staff", "/c/riverside/referrals/new/", "member",
     {"organisation": "{surgery}", "reason": "isolation", "consent": "on"}),
    ("coordinator", "/c/riverside/referrals/{referral}/advance/", "member", {"step": "joined", "on": "{today}"}),
]
# fmt: on


@pytest.mark.parametrize("who", ["elsewhere", "leaver"])
@pytest.mark.parametrize(
    ("persona", "url", "field", "rest"),
    [pytest.param(*row, id=f"{row[1]}:{row[2]}") for row in FORMS],
)
def test_a_member_number_from_elsewhere_or_of_someone_who_left_names_nobody(
    request, client, people, things, who, persona, url, field, rest
):
    # 1. The attacker is a member, coordinator or partner staff of riverside.
    client.force_login(request.getfixturevalue(persona))
    # 2. They type a member number that is not an active member of riverside into the member field.
    number = people[who].pk
    values = {**things, "bob": people["bob"].pk, "today": datetime.date.today().isoformat()}
    data = {key: value.format(**values) for key, value in rest.items()} | {field: str(number)}
    before = _written()
    response = client.post(url.format(**values), data, follow=True)
    # 3. The answer names nobody (not in the field, the errors or the messages) ...
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert ELSEWHERE not in page and LEFT not in page
    # ... says what is wrong ...
    assert f"There is no member number {number} in this community." in page
    # ... and nothing was written.
    assert _written() == before


def test_the_picker_shows_the_name_of_a_member_of_the_community(client, people):
    """The other side of the rule: a number of an active member of the same community still shows
    their name, so a form sent back with another mistake keeps the choice readable."""
    client.force_login(people["alice"].user)
    response = client.post(
        "/c/riverside/ledger/record/",
        {"other": str(people["bob"].pk), "direction": "received", "minutes": "", "token": "t"},
    )
    assert f'value="Bob Brown (#{people["bob"].pk})"' in response.content.decode()
    assert Transfer.objects.count() == 0


def test_odd_member_numbers_are_a_form_error(client, people):
    client.force_login(people["alice"].user)
    for typed in ["9" * 30, "#" + "9" * 5000, "Bob\x00Brown", "x" * 201]:
        response = client.post(
            "/c/riverside/ledger/record/",
            {"other": typed, "direction": "received", "minutes": "60", "token": "t"},
        )
        assert response.status_code == 200, typed[:20]
        assert response.context["form"].errors["other"], typed[:20]
    assert Transfer.objects.count() == 0


def test_the_lookup_endpoint_suggests_active_members_of_the_community_only(client, people):
    client.force_login(people["alice"].user)
    url = reverse("members:lookup", args=["riverside"])
    for typed in [
        "Bob",
        "Hillside",
        "Lou",
        "Leaver",
        str(people["elsewhere"].pk),
        str(people["leaver"].pk),
    ]:
        body = client.get(url, {"other": typed}).content.decode()
        assert ELSEWHERE not in body and LEFT not in body, typed
    assert "Bob Brown" in client.get(url, {"other": "Bob"}).content.decode()
    assert (
        client.get(url, {"other": "Bo\x00b"}).status_code == 200
    )  # a NUL is no name, not a server error


def test_a_post_link_to_an_open_post_of_someone_who_left_names_nobody(client, riverside, people):
    # 1. Lee posts an offer while a member, then leaves; the offer is still open.
    from coproduce.market.services import create_post

    lee = testing.join(testing.make_person("lee@example.org", "Lee Gone"), riverside)
    post = create_post(
        author=lee,
        actor=lee.user,
        kind="offer",
        title="Weeding",
        category=riverside.categories.create(name="Gardening"),
    )
    leave_community(lee, actor=lee.user)
    # 2. Alice opens the page that records an exchange about that offer.
    client.force_login(people["alice"].user)
    url = f"/c/riverside/market/{post.pk}/record/"
    response = client.get(url)
    # 3. There is no such page for a post whose author left: it names nobody.
    assert response.status_code == 404
    assert "Lee Gone" not in response.content.decode()
    # 4. Posting it anyway is refused the same way, and nothing is written.
    response = client.post(url, {"other": "Bob Brown", "direction": "received", "minutes": "60",
                                 "performed_on": datetime.date.today().isoformat(), "token": "t"})
    assert response.status_code == 404
    assert "Lee Gone" not in response.content.decode()
    assert Transfer.objects.count() == 0
    assert Post.objects.get(pk=post.pk).status == "open"


@pytest.mark.parametrize("who", ["elsewhere", "leaver"])
def test_a_timesheet_for_someone_not_an_active_member_here_is_not_found(
    client, people, coordinator, who
):
    client.force_login(coordinator)
    response = client.get("/c/riverside/ledger/timesheet/", {"member": people[who].pk})
    assert response.status_code == 404
    assert ELSEWHERE not in response.content.decode() and LEFT not in response.content.decode()


def test_blocking_by_number_does_not_name_someone_who_left(client, people):
    """Block and unblock accept someone who left only when the member already knows them here."""
    client.force_login(people["alice"].user)
    for action in ("block", "unblock"):
        response = client.post(
            reverse(f"conversations:{action}", args=["riverside", people["leaver"].pk]), follow=True
        )
        assert response.status_code == 404
        assert LEFT not in response.content.decode()
    assert Block.objects.count() == 0
    # Someone Alice has been talking to can still be blocked after they leave.
    from coproduce.conversations.services import start_conversation

    start_conversation(
        sender=people["alice"], recipient=people["bob"], body="Hello", actor=people["alice"].user
    )
    leave_community(people["bob"], actor=people["bob"].user)
    response = client.post(reverse("conversations:block", args=["riverside", people["bob"].pk]))
    assert response.status_code == 302
    assert Block.objects.filter(blocker=people["alice"].user, blocked=people["bob"].user).exists()
