from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.members.availability import ALL_SLOTS_MASK

DEFAULT_LIFETIME = timedelta(days=90)
TITLE_MAX = 120
DESCRIPTION_MAX = 2000


class PostKind(models.TextChoices):
    OFFER = "offer", _("offer")
    REQUEST = "request", _("request")


class PostStatus(models.TextChoices):
    OPEN = "open", _("open")
    MATCHED = "matched", _("matched")
    DONE = "done", _("done")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXPIRED = "expired", _("expired")


class PostQuerySet(models.QuerySet):
    def open(self):
        """Open and not past its expiry, whether or not the nightly sweep has run yet."""
        return self.filter(status=PostStatus.OPEN, expires_at__gt=timezone.now())

    def offers(self):
        return self.filter(kind=PostKind.OFFER)

    def requests(self):
        return self.filter(kind=PostKind.REQUEST)

    def for_list(self):
        return self.select_related("author__user", "category__parent", "area")


def default_expiry():
    return timezone.now() + DEFAULT_LIFETIME


class Post(models.Model):
    """An offer ("I can …") or a request ("I'd like help with …") in one community."""

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(_("kind"), max_length=10, choices=PostKind.choices)
    author = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="posts",
                               verbose_name=_("member"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX, blank=True)
    category = models.ForeignKey("communities.Category", on_delete=models.PROTECT, related_name="posts",
                                 verbose_name=_("category"))
    area = models.ForeignKey("communities.Area", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="posts", verbose_name=_("area"),
                             help_text=_("Leave empty for online or anywhere."))
    availability = models.PositiveIntegerField(_("when"), default=0)
    duration_minutes = models.PositiveIntegerField(
        _("about how long (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(24 * 60)])
    status = models.CharField(_("status"), max_length=10, choices=PostStatus.choices, default=PostStatus.OPEN)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    expires_at = models.DateTimeField(_("open until"), default=default_expiry)
    expiry_notice_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    exchange = models.ForeignKey("ledger.Transfer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="posts", verbose_name=_("recorded exchange"))
    helper = models.ForeignKey("members.Membership", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", help_text=_("Who it was matched with or done with."))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  help_text=_("Who keyed it: the member, or a coordinator for them."))

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(availability__lte=ALL_SLOTS_MASK), name="post_availability_in_range"),
            models.CheckConstraint(condition=Q(kind__in=["offer", "request"]), name="post_kind_known"),
            models.CheckConstraint(condition=Q(status__in=["open", "matched", "done", "withdrawn", "expired"]),
                                   name="post_status_known"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="post_expires_after_posted"),
            models.CheckConstraint(condition=~Q(title=""), name="post_title_not_empty"),
        ]
        indexes = [
            # Browse: newest open posts of one kind; matching: open offers per category.
            models.Index(fields=["community", "status", "kind", "-created_at"], name="post_browse"),
            models.Index(fields=["community", "status", "kind", "category", "-created_at"], name="post_by_category"),
            models.Index(fields=["author", "status"], name="post_by_author"),
            models.Index(fields=["status", "expires_at"], name="post_expiry"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == PostStatus.OPEN and self.expires_at > timezone.now()

    @property
    def is_request(self) -> bool:
        return self.kind == PostKind.REQUEST


class ThankYou(models.Model):
    """A short note from the person helped to the helper, shown on the helper's profile only if they agree."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="thank_you")
    giver = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="thanks_received")
    receiver = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="thanks_given")
    note = models.CharField(_("thank-you note"), max_length=500)
    shown_on_profile = models.BooleanField(_("show on my profile"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="thank_you_not_empty")]

    def __str__(self):
        return f"thanks for {self.post}"
