from django.urls import reverse

from coproduce.members.models import Membership


def test_the_profile_offers_unblock_once_blocked(as_persona, riverside, member, second_member):
    bob = Membership.objects.get(user=second_member)
    client = as_persona("member")
    profile = reverse("members:profile", args=["riverside", bob.pk])
    assert "Block Bob Brown" in client.get(profile).content.decode()
    client.post(reverse("conversations:block", args=["riverside", bob.pk]))
    page = client.get(profile).content.decode()
    assert "Unblock Bob Brown" in page and "Block Bob Brown" not in page.replace("Unblock Bob Brown", "")
    client.post(reverse("conversations:unblock", args=["riverside", bob.pk]))
    assert "Unblock" not in client.get(profile).content.decode()
