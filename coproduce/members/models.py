from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose
from coproduce.members.availability import ALL_SLOTS_MASK


class Role(models.TextChoices):
    MEMBER = "member", _("member")
    COORDINATOR = "coordinator", _("coordinator")
    PARTNER_STAFF = "partner_staff", _("partner staff")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    LEFT = "left", _("left")


class MembershipQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # Bulk paths (imports, the demo seeder, benchmarks, tests) send no post_save: note the
        # change here, or the kept member counts (members.counts) would miss these members.
        created = super().bulk_create(objs, *args, **kwargs)
        for community_id in sorted({membership.community_id for membership in created}):
            PeopleChanged.note(community_id)
        return created

    def update(self, **kwargs):
        # An update in bulk (``bulk_update`` goes through here too) sends no post_save either.
        community_ids = sorted(set(self.order_by().values_list("community_id", flat=True).distinct()))
        with transaction.atomic(using=self.db):
            updated = super().update(**kwargs)
            for community_id in community_ids:
                PeopleChanged.note(community_id)
        return updated

    def active(self):
        return self.filter(status=MembershipStatus.ACTIVE)

    def coordinators(self):
        return self.active().filter(role=Role.COORDINATOR)

    def for_directory(self):
        """Approved members as the directory shows them, in a constant number of queries."""
        return (
            self.active()
            .select_related("user", "area")
            .prefetch_related("skills")
            .order_by("user__name", "pk")
        )


class Membership(models.Model):
    """A person's place in one community: their role, area and what they bring."""

    personal_data = PersonalData(
        title=_("Memberships and roles"), about=("user",), purpose=Purpose.MEMBERSHIP, basis=Basis.CONTRACT,
        seen_by=Audience.MEMBERS, kept=Kept.MEMBERSHIP, names=("registered_by",),
        free_text=("skills_text", "interests_text"))

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    area = models.ForeignKey("communities.Area", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="memberships", verbose_name=_("area"))
    skills = models.ManyToManyField("communities.Category", blank=True, related_name="skilled_members",
                                    verbose_name=_("what I can offer"))
    skills_text = models.CharField(_("other things I can offer"), max_length=500, blank=True)
    interests = models.ManyToManyField("communities.Category", blank=True, related_name="interested_members",
                                       verbose_name=_("what I'd like help with"))
    interests_text = models.CharField(_("other things I'd like help with"), max_length=500, blank=True)
    availability = models.PositiveIntegerField(_("when I'm usually free"), default=0)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="+")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["community", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="one_membership_per_person_per_community"),
            models.CheckConstraint(condition=Q(availability__lte=ALL_SLOTS_MASK), name="membership_availability_in_range"),
            models.CheckConstraint(
                condition=Q(status=MembershipStatus.ACTIVE, left_at__isnull=True)
                | Q(status=MembershipStatus.LEFT, left_at__isnull=False),
                name="membership_left_at_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["community", "status", "role"], name="membership_by_role")]

    def __str__(self):
        return f"{self.user} in {self.community}"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.role == Role.COORDINATOR


class HeardFrom(models.TextChoices):
    FRIEND = "friend", _("A friend, neighbour or family member")
    GP = "gp", _("GP surgery or health service")
    COUNCIL = "council", _("The council or housing")
    CHARITY = "charity", _("A charity or community group")
    ONLINE = "online", _("Online or social media")
    POSTER = "poster", _("A poster, leaflet or newspaper")
    OTHER = "other", _("Somewhere else")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a coordinator")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")


class Application(models.Model):
    """A request to join a community, with consent to its privacy notice."""

    personal_data = PersonalData(
        title=_("Applications to join"), about=("user",), purpose=Purpose.MEMBERSHIP, basis=Basis.CONTRACT,
        seen_by=Audience.PERSON_AND_COORDINATORS, kept=Kept.MEMBERSHIP, names=("decided_by",),
        free_text=("offers", "needs", "interview_notes", "decision_reason"))

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="applications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    offers = models.TextField(_("what you could offer"), max_length=2000)
    needs = models.TextField(_("what you would like help with"), max_length=2000, blank=True)
    heard_from = models.CharField(_("how you heard about us"), max_length=20, choices=HeardFrom.choices)
    area = models.ForeignKey("communities.Area", on_delete=models.PROTECT, null=True, blank=True,
                             verbose_name=_("where you live"))
    consent_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING)
    interview_notes = models.TextField(_("interview notes"), blank=True, max_length=5000)
    decision_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], condition=Q(status="pending"),
                                    name="one_pending_application_per_person"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="application_decided_at_matches_status",
            ),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decision_reason=""),
                                   name="declined_application_has_reason"),
        ]
        indexes = [models.Index(fields=["community", "status", "created_at"], name="application_queue")]

    def __str__(self):
        return f"{self.user} → {self.community} ({self.status})"


class AgeBand(models.TextChoices):
    UNDER_20 = "under_20", _("under 20")
    B20_34 = "20_34", _("20 to 34")
    B35_49 = "35_49", _("35 to 49")
    B50_64 = "50_64", _("50 to 64")
    B65_79 = "65_79", _("65 to 79")
    B80_PLUS = "80_plus", _("80 or over")


class Gender(models.TextChoices):
    WOMAN = "woman", _("woman")
    MAN = "man", _("man")
    NON_BINARY = "non_binary", _("non-binary")
    OTHER = "other", _("in another way")
    UNSAID = "unsaid", _("prefer not to say")


class Demographics(models.Model):
    """Optional facts about a person, held only while they consent; used only in aggregates."""

    personal_data = PersonalData(
        title=_("Age and gender, given with consent"), about=("user",), purpose=Purpose.FIGURES,
        basis=Basis.CONSENT, seen_by=Audience.PERSON, kept=Kept.CONSENT)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demographics")
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    is_carer = models.BooleanField(_("I look after someone (a carer)"), null=True, blank=True)
    has_disability = models.BooleanField(_("I have a disability or long-term condition"), null=True, blank=True)
    consented_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)  # cached figures by age and gender go stale with it

    class Meta:
        verbose_name_plural = _("demographics")

    def __str__(self):
        return f"demographics of {self.user}"


class PeopleChanged(models.Model):
    """When a membership of the community last changed (joined, left, moved area, changed role;
    ``members.counts`` notes it on every save and delete) or, through ``insights``, a partner
    organisation did: the member counts and the figures by area that read who is in the community
    and where are kept until then. Its own row, never a field of the community, so that saving a
    community's settings can never write an older time back."""

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, primary_key=True,
                                     related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "people changed"

    def __str__(self):
        return f"{self.community_id}: {self.changed_at}"

    @classmethod
    def note(cls, community_id: int) -> None:
        """The community's people changed now (an upsert: one query, any database)."""
        cls.objects.bulk_create([cls(community_id=community_id, changed_at=timezone.now())],
                                update_conflicts=True, unique_fields=["community"], update_fields=["changed_at"])
