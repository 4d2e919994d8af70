from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    HEALTH = "health", _("health service")
    EDUCATION = "education", _("school or college")
    HOUSING = "housing", _("housing")
    LIBRARY = "library", _("library")
    POLICE = "police", _("police")
    COUNCIL = "council", _("council")
    CHARITY = "charity", _("charity or community group")
    BUSINESS = "business", _("local business")
    OTHER = "other", _("other")


class Organisation(models.Model):
    """A partner organisation taking part in a community; it has one ledger account there."""

    community = models.ForeignKey("communities.Community", on_delete=models.PROTECT,
                                  related_name="organisations")
    name = models.CharField(_("name"), max_length=150)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices,
                            default=OrganisationType.OTHER)
    area = models.ForeignKey("communities.Area", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="organisations", verbose_name=_("area"))
    description = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="organisation_name_unique_in_community"),
        ]

    def __str__(self):
        return self.name
