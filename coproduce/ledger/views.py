"""Ledger pages: thin views that check access, validate a form and call the service."""

from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.ledger import queries, services
from coproduce.ledger.forms import (
    BulkRowFormSet,
    CoordinatorExchangeForm,
    ExchangeForm,
    GiftForm,
    GrantForm,
    LimitExceptionForm,
    ReversalForm,
    SearchForm,
    StatementFilterForm,
)
from coproduce.ledger.models import Account, AccountKind, Entry, Transfer, TransferStatus
from coproduce.lib import csv_safe
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
            return redirect("ledger:transfer", slug=access.community.slug, pk=transfer.pk)
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


@login_required
def transfer_detail(request, slug, pk):
    access = require_member(request, slug)
    transfer = get_object_or_404(
        Transfer.objects.select_related("category", "keyed_by", "on_behalf_of", "reverses"),
        pk=pk, community=access.community)
    lines = queries.counterparties([transfer])[transfer.pk]
    mine = access.membership and (
        transfer.entries.filter(account__membership=access.membership).exists()
        or transfer.keyed_by_id == request.user.pk
        or (transfer.awaiting_id and transfer.awaiting.membership_id == access.membership.pk))
    if not (access.is_coordinator or mine):
        raise PermissionDenied(_("You can only see exchanges you took part in."))
    reversal = Transfer.objects.filter(reverses=transfer).first()
    form = None
    if access.is_coordinator and transfer.status == TransferStatus.POSTED and reversal is None \
            and transfer.reverses_id is None:
        form = ReversalForm(community=access.community)
    return render(request, "ledger/transfer.html", {
        "access": access, "community": access.community, "transfer": transfer, "lines": lines,
        "reversal": reversal, "form": form})


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
    page = Paginator(transfers, PAGE_SIZE).get_page(request.GET.get("page"))
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
    return render(request, "ledger/timesheet.html", {
        "access": access, "community": access.community, "member": member, "rows": range(12)})


@login_required
def bulk_entry(request, slug):
    access = require_coordinator(request, slug)
    members = (Membership.objects.active().filter(community=access.community)
               .select_related("user").order_by("user__name", "pk"))
    token = request.POST.get("token") or services.new_key()
    formset = BulkRowFormSet(request.POST or None, form_kwargs={"members": members, "community": access.community}, prefix="rows")
    row_errors = {}
    if request.method == "POST" and formset.is_valid():
        rows, indexes = [], []
        for index, form in enumerate(formset.forms):
            if form.is_blank():
                continue
            data = form.cleaned_data
            if not all(data.get(f) for f in ("giver", "receiver", "minutes", "performed_on")):
                form.add_error(None, _("Fill in every column of this row, or none."))
                continue
            rows.append({"giver": data["giver"], "receiver": data["receiver"], "minutes": data["minutes"],
                         "performed_on": data["performed_on"]})
            indexes.append(index)
        if not rows:
            messages.error(request, _("There are no rows to post."))
        elif all(not form.errors for form in formset.forms):
            try:
                posted = services.record_exchanges_all_or_none(
                    community=access.community, rows=rows, keyed_by=request.user, idempotency_key=token)
            except services.RowErrors as error:
                for row, errors in error.rows.items():
                    formset.forms[indexes[row]].add_error(None, errors)
                messages.error(request, error.messages[0])
            else:
                messages.success(request, _("Posted %(count)s exchanges.") % {"count": len(posted)})
                return redirect("ledger:search", slug=slug)
    row_errors = any(form.errors for form in formset.forms)
    return render(request, "ledger/bulk.html", {
        "access": access, "community": access.community, "formset": formset, "token": token,
        "row_errors": row_errors})





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
