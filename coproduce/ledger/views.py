"""Ledger pages: thin views that check access, validate a form and call the service."""

from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.forms import formset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.communities.models import Category
from coproduce.ledger import queries, services
from coproduce.ledger.forms import (
    BULK_MAX_ROWS,
    BULK_ROWS,
    BulkRowForm,
    CoordinatorExchangeForm,
    ExchangeForm,
    GiftForm,
    GrantForm,
    LimitExceptionForm,
    ReversalForm,
    SearchForm,
    StatementFilterForm,
    TimesheetForm,
)
from coproduce.ledger.models import (
    Account,
    AccountKind,
    Entry,
    Transfer,
    TransferKind,
    TransferStatus,
)
from coproduce.lib import csv_safe
from coproduce.lib.duration import format_duration
from coproduce.lib.paging import CappedPaginator
from coproduce.members.models import Membership
from coproduce.members.permissions import member_in, require_coordinator, require_member
from coproduce.members.views import add_form_errors

PAGE_SIZE = 50
CSV_CHUNK = 2000


def batched(iterable, size: int):
    """itertools.batched (Python 3.12) for 3.11: lists of up to ``size`` items."""
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _params(request) -> str:
    """The current filters, without the page number, for pagination and CSV links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _own_membership(access):
    if access.membership is None:
        raise PermissionDenied(_("Only members have a balance here."))
    return access.membership


def _filtered_entries(account, form):
    entries = queries.statement(account)
    if form.is_valid():
        data = form.cleaned_data
        if data["start"]:
            entries = entries.filter(transfer__performed_on__gte=data["start"])
        if data["end"]:
            entries = entries.filter(transfer__performed_on__lte=data["end"])
        if data["kind"]:
            entries = entries.filter(transfer__kind=data["kind"])
    return entries


@login_required
def statement(request, slug):
    access = require_member(request, slug)
    account = services.account_for_membership(_own_membership(access))
    form = StatementFilterForm(request.GET or None)
    page = Paginator(_filtered_entries(account, form), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.with_other_side(page.object_list, account)
    pending = queries.pending_for(request.user, access.community).count()
    return render(request, "ledger/statement.html", {
        "access": access, "community": access.community, "account": account, "form": form,
        "page": page, "pending": pending, "params": _params(request)})


@login_required
def statement_csv(request, slug):
    access = require_member(request, slug)
    account = services.account_for_membership(_own_membership(access))
    entries = _filtered_entries(account, StatementFilterForm(request.GET or None))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{access.community.slug}.csv"'
    writer = csv_safe.writer(response)
    writer.writerow([_("date"), _("transfer"), _("kind"), _("category"), _("description"), _("with"),
                     _("minutes"), _("balance after (minutes)")])
    # The other sides are read per chunk, so a long statement costs a constant number of queries per chunk.
    for chunk in batched(entries.iterator(chunk_size=CSV_CHUNK), CSV_CHUNK):
        for entry in queries.with_other_side(chunk, account):
            transfer = entry.transfer
            writer.writerow([transfer.performed_on.isoformat(), transfer.pk, transfer.kind,
                             transfer.category.name if transfer.category_id else "",
                             transfer.description, entry.other_side, entry.amount, entry.balance_after])
    return response


@login_required
def pending(request, slug):
    access = require_member(request, slug)
    waiting = list(queries.pending_for(request.user, access.community))
    mine = list(Transfer.objects.filter(community=access.community, keyed_by=request.user,
                                        status__in=[TransferStatus.PENDING, TransferStatus.HELD])
                .select_related("awaiting__membership__user"))
    return render(request, "ledger/pending.html", {
        "access": access, "community": access.community, "waiting": waiting, "mine": mine})


def _settle(request, slug, pk, action, done_message):
    access = require_member(request, slug)
    transfer = get_object_or_404(Transfer, pk=pk, community=access.community)
    try:
        action(transfer, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect("ledger:pending", slug=slug)


@login_required
@require_POST
def confirm(request, slug, pk):
    return _settle(request, slug, pk, services.confirm_exchange, _("Confirmed: the exchange is posted."))


@login_required
@require_POST
def decline(request, slug, pk):
    return _settle(request, slug, pk, services.decline_exchange, _("Declined: nothing was posted."))


def record_page(request, access, form, *, parties, heading: str, button: str, record=None, about=None):
    """The one "record an exchange" page, for members, coordinators and an exchange about an offer
    or request (``market``): validate the form, post through ``record`` (the ledger's
    ``record_exchange`` or a service wrapping it), show the result or the errors by their fields."""
    record = record or services.record_exchange
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        giver, receiver = parties(data)
        try:
            transfer = record(
                community=access.community, giver=giver, receiver=receiver, minutes=data["minutes"],
                performed_on=data["performed_on"], category=data["category"],
                description=data["description"], keyed_by=request.user, idempotency_key=data["token"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            # A plain-words confirmation, not the accounting view (which stays a link away).
            return redirect("ledger:recorded", slug=access.community.slug, pk=transfer.pk)
    return render(request, "ledger/form.html", {
        "access": access, "community": access.community, "form": form, "heading": heading,
        "button": button, "about": about})


def member_parties(me):
    """(giver, receiver) from a member's own form: they helped the other member, or the other way round."""
    return lambda data: (data["other"], me) if data["direction"] == "received" else (me, data["other"])


@login_required
def record(request, slug):
    access = require_member(request, slug)
    me = _own_membership(access)
    form = ExchangeForm(request.POST or None, community=access.community, viewer=request.user)
    return record_page(request, access, form, parties=member_parties(me),
                       heading=_("Record an exchange"), button=_("Record"))


@login_required
def record_for(request, slug):
    access = require_coordinator(request, slug)
    form = CoordinatorExchangeForm(request.POST or None, community=access.community)
    return record_page(request, access, form, parties=lambda data: (data["giver"], data["receiver"]),
                       heading=_("Record an exchange on a member's behalf"), button=_("Record and post"))


@login_required
def give(request, slug):
    access = require_member(request, slug)
    me = _own_membership(access)
    form = GiftForm(request.POST or None, community=access.community, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.give_credits(
                community=access.community, giver=me, to=data["to"], minutes=data["minutes"],
                description=data["description"], keyed_by=request.user, idempotency_key=data["token"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("ledger:transfer", slug=slug, pk=transfer.pk)
    return render(request, "ledger/form.html", {
        "access": access, "community": access.community, "form": form,
        "heading": _("Give credits"), "button": _("Give")})


def _visible_transfer(request, access, pk) -> Transfer:
    """A transfer of this community that the viewer took part in, recorded, is asked to confirm,
    or coordinates; 403 for anyone else."""
    transfer = get_object_or_404(
        Transfer.objects.select_related("category", "keyed_by", "on_behalf_of", "reverses"),
        pk=pk, community=access.community)
    mine = access.membership and (
        transfer.entries.filter(account__membership=access.membership).exists()
        or transfer.keyed_by_id == request.user.pk
        or (transfer.awaiting_id and transfer.awaiting.membership_id == access.membership.pk))
    if not (access.is_coordinator or mine):
        raise PermissionDenied(_("You can only see exchanges you took part in."))
    return transfer


@login_required
def transfer_detail(request, slug, pk):
    access = require_member(request, slug)
    transfer = _visible_transfer(request, access, pk)
    lines = queries.counterparties([transfer])[transfer.pk]
    reversal = Transfer.objects.filter(reverses=transfer).first()
    form = None
    if access.is_coordinator and transfer.status == TransferStatus.POSTED and reversal is None \
            and transfer.reverses_id is None:
        form = ReversalForm(community=access.community)
    return render(request, "ledger/transfer.html", {
        "access": access, "community": access.community, "transfer": transfer, "lines": lines,
        "reversal": reversal, "form": form})


def _exchange_sides(transfer: Transfer) -> tuple[Account | None, Account | None]:
    """(giver, receiver) accounts of a two-sided exchange, posted or not; None where unclear."""
    lines = (transfer.proposed if transfer.status != TransferStatus.POSTED
             else [(e.account_id, e.amount) for e in transfer.entries.all()])
    accounts = Account.objects.select_related("membership__user", "organisation").in_bulk(
        [pk for pk, _amount in lines])
    givers = [accounts[pk] for pk, amount in lines if amount > 0]
    receivers = [accounts[pk] for pk, amount in lines if amount < 0]
    return (givers[0] if len(givers) == 1 else None, receivers[0] if len(receivers) == 1 else None)


def _owner(account: Account | None):
    return account.membership.user if account is not None and account.membership_id else None


def recorded_words(transfer: Transfer, viewer, sides=None) -> tuple[str, str]:
    """What the person who recorded an exchange is told, in plain words: (what they recorded,
    where it stands now). For example "You recorded 1 hour 30 minutes for Joan Green on 3 March
    (Gardening)." and "We have asked Joan Green to confirm it; it will show on your statement
    when they do."."""
    giver, receiver = sides or _exchange_sides(transfer)
    giver_name = giver.label if giver else _("several people")
    receiver_name = receiver.label if receiver else _("several people")
    params = {"time": format_duration(transfer.minutes), "giver": giver_name, "receiver": receiver_name,
              "date": date_format(transfer.performed_on, "j F Y")}
    if _owner(giver) == viewer:
        what = _("You recorded %(time)s of help you gave %(receiver)s on %(date)s") % params
    elif _owner(receiver) == viewer:
        what = _("You recorded %(time)s of help %(giver)s gave you on %(date)s") % params
    else:
        what = _("You recorded %(time)s of help %(giver)s gave %(receiver)s on %(date)s") % params
    about = ": ".join(part for part in (transfer.category.name if transfer.category_id else "",
                                        transfer.description) if part)
    what = f"{what} ({about})." if about else f"{what}."
    if transfer.status == TransferStatus.PENDING:
        state = _("We have asked %(receiver)s to confirm it; it will show on your statement when they do.") % params
    elif transfer.status == TransferStatus.HELD:
        state = _("A coordinator checks it before it is posted: %(why)s It will show on the statement once "
                  "it is approved.") % {"why": transfer.hold_detail or transfer.get_hold_reason_display()}
    elif transfer.status == TransferStatus.POSTED:
        if viewer in (_owner(giver), _owner(receiver)):
            state = _("It is posted and on your statement now.")
        else:
            state = _("It is posted and on both statements now.")
    elif transfer.status == TransferStatus.DECLINED:
        state = _("%(receiver)s declined it, so nothing was posted.") % params
    else:
        state = _("Nobody confirmed it in time, so nothing was posted.")
    return what, state


@login_required
def recorded(request, slug, pk):
    """The confirmation after recording an exchange, in plain words, with what to do next."""
    access = require_member(request, slug)
    transfer = _visible_transfer(request, access, pk)
    if transfer.keyed_by_id != request.user.pk or transfer.kind != TransferKind.EXCHANGE:
        return redirect("ledger:transfer", slug=slug, pk=pk)  # told only to the person who recorded it
    giver, receiver = _exchange_sides(transfer)
    what, state = recorded_words(transfer, request.user, (giver, receiver))
    for_someone = access.is_coordinator and request.user not in (_owner(giver), _owner(receiver))
    return render(request, "ledger/recorded.html", {
        "access": access, "community": access.community, "transfer": transfer, "what": what,
        "state": state, "giver": giver, "receiver": receiver,
        "again": "ledger:record_for" if for_someone else "ledger:record"})


@login_required
@require_POST
def reverse(request, slug, pk):
    access = require_coordinator(request, slug)
    transfer = get_object_or_404(Transfer, pk=pk, community=access.community)
    form = ReversalForm(request.POST, community=access.community)
    if form.is_valid():
        try:
            reversal = services.reverse_transfer(transfer, keyed_by=request.user,
                                                 reason=form.cleaned_data["reason"],
                                                 idempotency_key=form.cleaned_data["token"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Reversed."))
            return redirect("ledger:transfer", slug=slug, pk=reversal.pk)
    else:
        messages.error(request, _("Give a reason for the reversal."))
    return redirect("ledger:transfer", slug=slug, pk=pk)


@login_required
def search(request, slug):
    access = require_coordinator(request, slug)
    form = SearchForm(request.GET or None)
    transfers = (Transfer.objects.filter(community=access.community)
                 .select_related("category", "keyed_by").order_by("-performed_on", "-id"))
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            accounts = Entry.objects.filter(account__membership__user__name__icontains=data["q"])
            transfers = transfers.filter(Q(description__icontains=data["q"])
                                         | Q(pk__in=accounts.values("transfer_id")))
        if data["start"]:
            transfers = transfers.filter(performed_on__gte=data["start"])
        if data["end"]:
            transfers = transfers.filter(performed_on__lte=data["end"])
        if data["kind"]:
            transfers = transfers.filter(kind=data["kind"])
    page = CappedPaginator(transfers, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = queries.counterparties(page.object_list)
    rows = [(t, lines[t.pk]) for t in page.object_list]
    return render(request, "ledger/search.html", {
        "access": access, "community": access.community, "form": form, "page": page, "rows": rows,
        "params": _params(request)})


@login_required
def pot(request, slug):
    access = require_member(request, slug)
    account = services.pot_for(access.community)
    page = Paginator(queries.statement(account), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.with_other_side(page.object_list, account)
    form = GrantForm(community=access.community) if access.is_coordinator else None
    return render(request, "ledger/pot.html", {
        "params": "", "access": access, "community": access.community, "account": account, "page": page, "form": form})


@login_required
def grant(request, slug):
    access = require_coordinator(request, slug)
    form = GrantForm(request.POST or None, community=access.community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.grant_from_pot(
                community=access.community, to=data["to"], minutes=data["minutes"], reason=data["reason"],
                keyed_by=request.user, idempotency_key=data["token"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("ledger:transfer", slug=slug, pk=transfer.pk)
    return render(request, "ledger/form.html", {
        "access": access, "community": access.community, "form": form,
        "heading": _("Grant credits from the pot"), "button": _("Grant")})


class _CheckedOnly(Exception):
    """Rolls back a sheet whose good rows were checked by the ledger while other rows had errors."""


def _categories(community):
    return list(Category.objects.in_use().filter(community=community).order_by("name", "pk"))


@login_required
def timesheet(request, slug):
    access = require_member(request, slug)
    member = None
    if request.GET.get("member") and access.is_coordinator:
        if not request.GET["member"].isdecimal():
            raise Http404
        member = member_in(access, request.GET["member"])  # active members only: not someone who left
    elif access.membership:
        member = access.membership
    form = TimesheetForm(request.GET if "rows" in request.GET else None)
    return render(request, "ledger/timesheet.html", {
        "access": access, "community": access.community, "member": member, "form": form,
        "rows": range(form.row_count()), "categories": _categories(access.community)})


@login_required
def bulk_entry(request, slug):
    """A coordinator types in filled-in paper timesheets: every row posts, or none does."""
    access = require_coordinator(request, slug)
    members = (Membership.objects.active().filter(community=access.community)
               .select_related("user").order_by("user__name", "pk"))
    token = request.POST.get("token") or services.new_key()
    sheet = TimesheetForm(request.GET if "rows" in request.GET else None, max_rows=BULK_MAX_ROWS,
                          default_rows=BULK_ROWS)
    formset_class = formset_factory(BulkRowForm, extra=sheet.row_count(), max_num=BULK_MAX_ROWS, validate_max=True)
    form_kwargs = {"members": members, "community": access.community, "categories": _categories(access.community)}
    formset = formset_class(request.POST or None, form_kwargs=form_kwargs, prefix="rows")
    if request.method == "POST" and not formset.non_form_errors():
        rows, indexes = [], []
        for index, form in enumerate(formset.forms):
            if form.errors or form.is_blank():
                continue  # a row with a typing error is named below; an empty row is left out
            data = form.cleaned_data
            if not all(data.get(f) for f in BulkRowForm.REQUIRED):
                form.add_error(None, _("Fill in who gave, who received, how long and the date, or leave the "
                                       "row empty."))
                continue
            rows.append({"giver": data["giver"], "receiver": data["receiver"], "minutes": data["minutes"],
                         "performed_on": data["performed_on"], "category": data["category"],
                         "description": data["description"]})
            indexes.append(index)
        typing_errors = any(form.errors for form in formset.forms)
        if not rows and not typing_errors:
            messages.error(request, _("There are no rows to post."))
        elif rows:
            try:
                # The well-typed rows go through the ledger even when others have typing errors, so
                # every problem on the sheet is shown at once; then nothing is kept.
                with transaction.atomic():
                    posted = services.record_exchanges_all_or_none(
                        community=access.community, rows=rows, keyed_by=request.user, idempotency_key=token)
                    if typing_errors:
                        raise _CheckedOnly
            except services.RowErrors as error:
                for row, errors in error.rows.items():
                    formset.forms[indexes[row]].add_error(None, errors)
            except _CheckedOnly:
                pass
            else:
                messages.success(request, _("Posted %(count)s exchanges.") % {"count": len(posted)})
                return redirect("ledger:search", slug=slug)
    # Each problem, named by its row number, for the summary above the sheet.
    row_errors = [(number, form) for number, form in enumerate(formset.forms, start=1) if form.errors]
    return render(request, "ledger/bulk.html", {
        "access": access, "community": access.community, "formset": formset, "token": token,
        "row_errors": row_errors, "sheet": sheet, "max_rows": BULK_MAX_ROWS})


@login_required
def limits(request, slug, pk):
    """A coordinator sets (or clears) one member's balance limit exception."""
    access = require_coordinator(request, slug)
    membership = member_in(access, pk)
    return _limits_page(request, access, services.account_for_membership(membership),
                        redirect_to=("ledger:limits", slug, pk))


@login_required
def account_limits(request, slug, pk):
    """The same for the pot or an organisation: an exception to the community's floor for it."""
    access = require_coordinator(request, slug)
    account = get_object_or_404(Account.objects.exclude(kind=AccountKind.MEMBER)
                                .select_related("organisation", "community"), pk=pk, community=access.community)
    return _limits_page(request, access, account, redirect_to=("ledger:account_limits", slug, pk))


def _limits_page(request, access, account, *, redirect_to):
    initial = {"min_minutes": account.min_override, "max_minutes": account.max_override,
               "reason": account.limit_reason}
    form = LimitExceptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_limit_exception(
                account, actor=request.user, reason=data["reason"],
                min_minutes=data["min_minutes"], max_minutes=data["max_minutes"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Saved the limits for %(name)s.") % {"name": account.label})
            return redirect(*redirect_to)
    return render(request, "ledger/limits.html", {
        "access": access, "community": access.community, "form": form, "account": account,
        "community_low": account.community_floor, "community_high": account.community_ceiling})
