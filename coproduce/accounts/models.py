from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    POST = "post", _("Letter")
    COORDINATOR = "coordinator", _("Through the coordinator")


class User(AbstractUser):
    """A person. Assisted members have no e-mail and no usable password."""

    personal_data = PersonalData(
        title=_("Your account and profile"), about=("pk",), purpose=Purpose.MEMBERSHIP, basis=Basis.CONTRACT,
        seen_by=Audience.MEMBERS, kept=Kept.MEMBERSHIP, withheld=("password",),
        free_text=("name", "email", "phone", "postal_address", "about_me", "languages", "access_needs"))

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    about_me = models.TextField(_("about me"), blank=True, max_length=2000)
    languages = models.CharField(_("languages I speak"), max_length=200, blank=True)
    # The language of the pages and e-mails for this person; blank: their community's.
    language = models.CharField(_("language for pages and e-mails"), max_length=10, blank=True, default="",
                                choices=settings.LANGUAGES)
    access_needs = models.TextField(_("access needs"), blank=True, max_length=1000)
    contact_preference = models.CharField(
        _("how I like to be contacted"),
        max_length=20,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    share_email = models.BooleanField(_("show my e-mail to other members"), default=False)
    share_phone = models.BooleanField(_("show my phone number to other members"), default=False)
    is_assisted = models.BooleanField(
        _("assisted member"),
        default=False,
        help_text=_("Registered by a coordinator; has no e-mail or internet of their own."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=models.Q(email__isnull=False),
                                    name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(is_assisted=True) | models.Q(email__isnull=False),
                name="user_has_email_unless_assisted",
            ),
        ]
        # Member lists run in name order: a page of a 100,000-member directory read in order
        # instead of sorted (115 ms before, 40 ms after; issue 19).
        indexes = [
            models.Index(fields=["name", "id"], name="user_by_name"),
            # The coordinators' page lists the few assisted members by name: found here instead of
            # among 100,000 memberships (32 ms before, 0.1 ms after; issue 19).
            models.Index(fields=["name", "id"], condition=models.Q(is_assisted=True), name="assisted_user_by_name"),
        ]

    def __str__(self):
        return self.name or self.email or f"#{self.pk}"

    def clean(self):
        super().clean()
        # AbstractUser.clean turns a missing e-mail into "", which would collide between
        # assisted members; keep it NULL (and lower-case when present).
        self.email = self.email.lower() if self.email else None

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else ""

    @property
    def is_site_admin(self) -> bool:
        return self.is_superuser
