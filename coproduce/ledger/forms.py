from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from coproduce.communities.models import Category
from coproduce.ledger.models import MAX_LINE_MINUTES, MINUTE_STEP, TransferKind
from coproduce.ledger.services import community_today, new_key
from coproduce.lib.forms import DurationMinutesField
from coproduce.members.fields import MemberLookupField, configure_member_fields
from coproduce.members.models import Membership


def date_widget():
    # ISO format, or browsers leave a type="date" input empty.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


HOW_LONG = _("How long")


def time_field(label=HOW_LONG, *, cap: int | None = MAX_LINE_MINUTES, **kwargs) -> DurationMinutesField:
    """How long something took, typed as people write it ("1:30", "1.5", "90 min"); cleaned to
    minutes in the ledger's steps, at most ``cap`` (one line: 24 hours)."""
    return DurationMinutesField(label=label, min_minutes=MINUTE_STEP, max_minutes=cap, step=MINUTE_STEP,
                                **kwargs)


class LedgerForm(forms.Form):
    """Carries the idempotency token rendered with the form, so a double submit posts once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, community, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.viewer_id = viewer.pk if viewer is not None else None
        if not self.is_bound:
            self.initial.setdefault("token", new_key())
        members = (Membership.objects.active().filter(community=community)
                   .select_related("user").order_by("user__name", "pk"))
        if viewer is not None:
            members = members.exclude(user=viewer)
        configure_member_fields(self, community, members, ("other", "giver", "receiver", "to"))
        if "category" in self.fields:
            # Each choice's label names its parent: read with it, not one query per choice.
            self.fields["category"].queryset = (Category.objects.in_use().filter(community=community)
                                                .select_related("parent"))
        if "performed_on" in self.fields:
            self.initial.setdefault("performed_on", community_today(community))


class ExchangeForm(LedgerForm):
    DIRECTIONS = [("received", _("They helped me (it is posted now)")),
                  ("gave", _("I helped them (they will be asked to confirm)"))]
    direction = forms.ChoiceField(label=_("What happened"), choices=DIRECTIONS, widget=forms.RadioSelect,
                                  initial="received")
    other = MemberLookupField(label=_("The other member"))
    minutes = time_field()
    performed_on = forms.DateField(label=_("Date"), widget=date_widget())
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("Choose a category (optional)"))
    description = forms.CharField(label=_("What it was"), max_length=500, required=False)


class CoordinatorExchangeForm(LedgerForm):
    giver = MemberLookupField(label=_("Who gave the help"))
    receiver = MemberLookupField(label=_("Who received it"))
    minutes = time_field()
    performed_on = forms.DateField(label=_("Date"), widget=date_widget())
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("Choose a category (optional)"))
    description = forms.CharField(label=_("What it was"), max_length=500, required=False)


class GiftForm(LedgerForm):
    to = MemberLookupField(label=_("Give to"), required=False,
                           help_text=_("Type a name or a member number; leave empty to give to the community pot."))
    minutes = time_field(_("How much time"), cap=None)
    description = forms.CharField(label=_("Message"), max_length=500, required=False)


class GrantForm(LedgerForm):
    to = MemberLookupField(label=_("Grant to"))
    minutes = time_field(_("How much time"), cap=None)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReversalForm(LedgerForm):
    reason = forms.CharField(label=_("Reason for the reversal"), max_length=500)


class StatementFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=date_widget())
    end = forms.DateField(label=_("To"), required=False, widget=date_widget())
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *list(TransferKind.choices)])


class SearchForm(StatementFilterForm):
    q = forms.CharField(label=_("Member name or description"), required=False, max_length=100)


# A printed timesheet has as many rows as asked for, up to this (about eight printed pages).
TIMESHEET_ROWS = 12
TIMESHEET_MAX_ROWS = 200


class TimesheetForm(forms.Form):
    """How many rows a sheet has: a printed timesheet, or the page that types one in."""

    rows = forms.IntegerField(label=_("Number of rows"), min_value=1, required=False)

    def __init__(self, *args, max_rows: int = TIMESHEET_MAX_ROWS, default_rows: int = TIMESHEET_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_rows = default_rows
        field = self.fields["rows"]
        field.max_value = max_rows
        field.validators.append(MaxValueValidator(max_rows))
        field.widget.attrs.update({"max": max_rows, "min": 1})
        field.help_text = _("At most %(max)s rows.") % {"max": max_rows}
        self.initial.setdefault("rows", default_rows)

    def row_count(self) -> int:
        """The rows asked for, or the default when none (or too many) were asked for."""
        if self.is_bound and self.is_valid() and self.cleaned_data["rows"]:
            return self.cleaned_data["rows"]
        return self.default_rows


class BulkRowForm(forms.Form):
    """One row of a paper timesheet, as it was written: who gave, who received, how long, when,
    and (optionally) the category and what it was."""

    REQUIRED = ("giver", "receiver", "minutes", "performed_on")

    giver = MemberLookupField(label=_("Giver"), required=False)
    receiver = MemberLookupField(label=_("Receiver"), required=False)
    minutes = time_field(required=False)
    performed_on = forms.DateField(label=_("Date"), required=False,
                                   widget=date_widget())
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(label=_("What it was"), max_length=500, required=False)

    def __init__(self, *args, members=None, community=None, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        configure_member_fields(self, community, members, ("giver", "receiver"))
        # The community's categories, read once for the whole sheet rather than once per row.
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = [("", _("None")), *((c.pk, c.name) for c in categories)]

    def clean_category(self):
        pk = self.cleaned_data.get("category")
        return None if pk is None else self.categories[pk]

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(f) for f in (*self.REQUIRED, "category", "description"))


# Rows typed in one go (the page builds its formset with as many empty rows as asked for).
BULK_ROWS = 10
BULK_MAX_ROWS = 50


# Far beyond any member's balance, and well inside the integer minutes the database holds (the
# same bound as the lowest balance a partner organisation may be given).
LIMIT_EXCEPTION_HOURS = 100_000


LOWEST_HELP = _("For example −20 hours or −12:30; a number on its own is hours. Leave empty to use the "
                "community's limit.")
HIGHEST_HELP = _("For example 100 hours or 12:30; a number on its own is hours. Leave empty to use the "
                 "community's limit.")


class LimitExceptionForm(forms.Form):
    min_minutes = DurationMinutesField(
        label=_("Lowest balance (zero or below)"), required=False, min_minutes=-LIMIT_EXCEPTION_HOURS * 60,
        max_minutes=0, step=None, bare_hours_up_to=None, help_text=LOWEST_HELP)
    max_minutes = DurationMinutesField(
        label=_("Highest balance (zero or above)"), required=False, min_minutes=0,
        max_minutes=LIMIT_EXCEPTION_HOURS * 60, step=None, bare_hours_up_to=None, help_text=HIGHEST_HELP)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
