from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coproduce.lib.personal_data import Audience, Basis, Kept, PersonalData, Purpose

# The ONS personal well-being questions (ONS4) and the ONS direct loneliness measure, in
# the ONS wording. Changing a word breaks comparison with national figures: don't.
ONS4_INTRODUCTION = _(
    "Next are four questions about your feelings on aspects of your life. There are no right or "
    "wrong answers. For each of these questions please give an answer on a scale of 0 to 10, "
    "where 0 is “not at all” and 10 is “completely”."
)
WELLBEING_QUESTIONS = (
    ("life_satisfaction", _("Overall, how satisfied are you with your life nowadays?")),
    ("worthwhile", _("Overall, to what extent do you feel that the things you do in your life are worthwhile?")),
    ("happiness", _("Overall, how happy did you feel yesterday?")),
    ("anxiety", _("Overall, how anxious did you feel yesterday?")),
)
LONELINESS_QUESTION = _("How often do you feel lonely?")
SCALE_FIELDS = tuple(name for name, _question in WELLBEING_QUESTIONS)


class Loneliness(models.TextChoices):
    OFTEN_ALWAYS = "often_always", _("Often/always")
    SOME_OF_THE_TIME = "some_of_the_time", _("Some of the time")
    OCCASIONALLY = "occasionally", _("Occasionally")
    HARDLY_EVER = "hardly_ever", _("Hardly ever")
    NEVER = "never", _("Never")


# Higher is lonelier, so a fall in this score is an improvement.
LONELINESS_SCORE = {Loneliness.OFTEN_ALWAYS: 5, Loneliness.SOME_OF_THE_TIME: 4, Loneliness.OCCASIONALLY: 3,
                    Loneliness.HARDLY_EVER: 2, Loneliness.NEVER: 1}


class EntryMethod(models.TextChoices):
    SELF = "self", _("Answered in the app")
    PAPER = "paper", _("Paper form entered by a coordinator")


def _scale(verbose):
    return models.PositiveSmallIntegerField(verbose, null=True, blank=True)


class WellbeingResponse(models.Model):
    """One member's answers on one occasion. A question left blank is stored as null."""

    personal_data = PersonalData(
        title=_("Wellbeing answers"), about=("membership__user",), purpose=Purpose.OUTCOMES, basis=Basis.CONSENT,
        seen_by=Audience.PERSON, kept=Kept.MEMBERSHIP, special=True, names=("entered_by",))

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE,
                                  related_name="wellbeing_responses")
    membership = models.ForeignKey("members.Membership", on_delete=models.CASCADE,
                                   related_name="wellbeing_responses")
    answered_on = models.DateField(_("date answered"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=EntryMethod.choices, default=EntryMethod.SELF)
    life_satisfaction = _scale(_("life satisfaction"))
    worthwhile = _scale(_("worthwhile"))
    happiness = _scale(_("happiness"))
    anxiety = _scale(_("anxiety"))
    loneliness = models.CharField(_("loneliness"), max_length=20, choices=Loneliness.choices, blank=True)

    class Meta:
        ordering = ["-answered_on", "-id"]
        indexes = [models.Index(fields=["membership", "answered_on"], name="wellbeing_member_date")]
        constraints = [
            models.CheckConstraint(condition=models.Q(**{f"{name}__lte": 10}) | models.Q(**{f"{name}__isnull": True}),
                                   name=f"wellbeing_{name}_0_to_10")
            for name in SCALE_FIELDS
        ]

    def __str__(self):
        return f"{self.membership_id} {self.answered_on}"
