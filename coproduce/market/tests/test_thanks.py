from django.urls import reverse

from coproduce.market.models import ThankYou
from coproduce.market.services import complete_post
from coproduce.market.tests.conftest import post
from coproduce.members.models import Membership


def test_person_helped_thanks_and_giver_chooses_to_show_it(client, member, second_member, riverside):
    request = post(member, riverside, title="Weeding")
    bob = Membership.objects.get(user=second_member)
    complete_post(request, actor=member, helper=bob)
    thanks_url = reverse("market:thank", args=["riverside", request.pk])

    client.force_login(second_member)  # the giver cannot thank themselves
    client.post(thanks_url, {"note": "Me me me"})
    assert not ThankYou.objects.exists()

    client.force_login(member)
    assert "Send thank-you" in client.get(reverse("market:detail", args=["riverside", request.pk])).content.decode()
    client.post(thanks_url, {"note": "Bob was wonderful, thank you!"})
    thanks = ThankYou.objects.get()
    assert thanks.giver == bob and not thanks.shown_on_profile
    profile_notes = reverse("market:member_thanks", args=["riverside", bob.pk])
    profile = reverse("members:profile", args=["riverside", bob.pk])
    assert "Bob was wonderful" not in client.get(profile_notes).content.decode()  # not until Bob agrees
    assert "Bob was wonderful" not in client.get(profile).content.decode()
    client.post(reverse("market:show_thanks", args=["riverside", request.pk]), {"shown": "1"})
    thanks.refresh_from_db()
    assert not thanks.shown_on_profile  # only Bob decides

    client.force_login(second_member)
    client.post(reverse("market:show_thanks", args=["riverside", request.pk]), {"shown": "1"})
    thanks.refresh_from_db()
    assert thanks.shown_on_profile
    assert "Bob was wonderful" in client.get(profile_notes).content.decode()
    assert "Bob was wonderful" in client.get(profile).content.decode()  # on the giver's profile itself


def test_no_thanks_before_done_or_when_empty(client, member, riverside):
    request = post(member, riverside, title="Weeding")
    client.force_login(member)
    client.post(reverse("market:thank", args=["riverside", request.pk]), {"note": "Thanks"})
    client.post(reverse("market:thank", args=["riverside", request.pk]), {"note": ""})
    assert not ThankYou.objects.exists()
