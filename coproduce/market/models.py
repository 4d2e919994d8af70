from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, NamesPeople, PersonalData, Purpose
from coproduce.market import text
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

    def bulk_create(self, objs, *args, **kwargs):
        # Bulk paths (the demo seeder, the benchmark) skip save(): index their words here too.
        objs = list(objs)
        for obj in objs:
            obj.index_text()
        created = super().bulk_create(objs, *args, **kwargs)
        PostTerm.objects.bulk_create([term for obj in created if obj.pk for term in obj.terms()], batch_size=5000)
        return created


def default_expiry():
    return timezone.now() + DEFAULT_LIFETIME


class Post(models.Model):
    """An offer ("I can …") or a request ("I'd like help with …") in one community."""

    personal_data = PersonalData(
        title=_("Offers and requests"), about=("author__user", "helper__user"), purpose=Purpose.MATCHING,
        basis=Basis.CONTRACT, seen_by=Audience.MEMBERS, kept=Kept.MEMBERSHIP, names=("posted_by",),
        free_text=("title", "description"), written_by="author__user")

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
    # Its author lets members of linked time banks find it (title, detail, first name).
    visible_to_linked_banks = models.BooleanField(_("seen by linked time banks"), default=False)
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
    # The stems of the title and of the description (text.indexed), made in Python so that
    # both databases rank by exactly the same words (queries.py); PostTerm indexes them.
    search_title = models.TextField(default="", blank=True, editable=False)
    search_body = models.TextField(default="", blank=True, editable=False)

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
            # Browse with no kind chosen: newest first, so a page reads its 20 posts and joins only
            # those (without it PostgreSQL joined every open post to its author first: issue 19).
            models.Index(fields=["community", "status", "-created_at", "-id"], name="post_newest"),
            models.Index(fields=["community", "status", "kind", "category", "-created_at"], name="post_by_category"),
            models.Index(fields=["author", "status"], name="post_by_author"),
            models.Index(fields=["status", "expires_at"], name="post_expiry"),
            # Search: the newest open posts of a category a query word names (queries.CATEGORY_POOL).
            models.Index(fields=["category", "-created_at"], condition=Q(status="open"), name="post_open_by_category"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.index_text()
        update_fields = kwargs.get("update_fields")
        reindex = update_fields is None or bool({"title", "description"} & set(update_fields))
        if update_fields is not None and reindex:
            kwargs["update_fields"] = {*update_fields, "search_title", "search_body"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if reindex:
            if not adding:
                PostTerm.objects.filter(post=self).delete()
            PostTerm.objects.bulk_create(self.terms())

    def index_text(self) -> None:
        self.search_title = text.indexed(self.title)
        self.search_body = text.indexed(self.description)

    def terms(self) -> list["PostTerm"]:
        stems = dict.fromkeys(f"{self.search_title} {self.search_body}".split())
        return [PostTerm(community_id=self.community_id, post_id=self.pk, stem=stem, created_at=self.created_at)
                for stem in stems]

    @property
    def is_open(self) -> bool:
        return self.status == PostStatus.OPEN and self.expires_at > timezone.now()

    @property
    def is_request(self) -> bool:
        return self.kind == PostKind.REQUEST


class PostTerm(models.Model):
    """One stem of one post: the inverted index search reads, newest first, on every database.

    A word in a handful of posts finds all of them; a word in thousands finds its newest few
    hundred (``queries.TEXT_POOL``) without reading the rest. Rows of closed posts stay (the
    post is the one to say it is closed); they go with the post.
    """

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    stem = models.CharField(max_length=text.MAX_WORD)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["community", "stem", "-created_at"], name="post_term_newest")]

    def __str__(self):
        return self.stem


class ThankYou(models.Model):
    """A short note from the person helped to the helper, shown on the helper's profile only if they agree."""

    personal_data = PersonalData(
        title=_("Thank-you notes"), about=("giver__user", "receiver__user"), purpose=Purpose.MATCHING,
        basis=Basis.CONTRACT, seen_by=Audience.MEMBERS, kept=Kept.MEMBERSHIP, free_text=("note",),
        written_by="receiver__user")

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


class ConceptWord(models.Model):
    """A word people use for a category ("walkies" for Dog walking). Search, matching and
    category suggestions expand what someone typed through these; coordinators edit them."""

    personal_data = NamesPeople(names=("added_by",), purpose=Purpose.MATCHING)

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("communities.Category", on_delete=models.CASCADE, related_name="concept_words")
    word = models.CharField(_("word"), max_length=text.MAX_WORD)
    stem = models.CharField(max_length=text.MAX_WORD)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", help_text=_("Empty for the words shipped with Coproduce."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(fields=["category", "word"], name="concept_word_unique_in_category"),
            models.CheckConstraint(condition=~Q(word="") & ~Q(stem=""), name="concept_word_not_empty"),
        ]
        indexes = [models.Index(fields=["community", "stem"], name="concept_by_stem")]

    def __str__(self):
        return self.word


class SearchWord(models.Model):
    """A word a community's posts or vocabulary use, with how many posts use its stem.

    Typo tolerance: a query word that is not here is replaced by the most similar words that
    are (pg_trgm's GIN index on PostgreSQL, the trigram table ``market_searchword_trigram`` on
    SQLite; both made by migration 0005). Rebuilt with the text model (``classifier.train``).
    """

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=text.MAX_WORD)
    stem = models.CharField(max_length=text.MAX_WORD)
    posts = models.PositiveIntegerField(default=0)
    trigram_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "word"], name="search_word_unique")]
        indexes = [models.Index(fields=["community", "stem"], name="search_word_by_stem")]

    def __str__(self):
        return self.word


class TextModel(models.Model):
    """What a community's posts and vocabulary say about its categories: a multinomial naive
    Bayes model (word counts per category in ``TermCount``), retrained in the background."""

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, related_name="+")
    trained_at = models.DateTimeField(null=True, blank=True)
    posts = models.PositiveIntegerField(default=0, help_text=_("Posts it learned from."))
    vocabulary = models.PositiveIntegerField(default=0, help_text=_("Distinct stems it knows."))
    # {category id: [documents, stems counted]}: the priors and the denominators.
    categories = models.JSONField(default=dict)
    new_posts = models.PositiveIntegerField(default=0, help_text=_("Posted since it was trained."))
    queued_at = models.DateTimeField(null=True, blank=True, help_text=_("Retraining asked for and not yet done."))

    def __str__(self):
        return f"text model of community {self.community_id}"


class TermCount(models.Model):
    """How often a stem appears in a category's posts and vocabulary (see ``TextModel``)."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    stem = models.CharField(max_length=text.MAX_WORD)
    category = models.ForeignKey("communities.Category", on_delete=models.CASCADE, related_name="+")
    count = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["community", "stem"], name="term_count_by_stem")]

    def __str__(self):
        return f"{self.stem}: {self.count}"
