"""Network figures (coordinators and public), the outreach list and the areas scatter page."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coproduce.insights import network_snapshots
from coproduce.insights.figures import EARLIEST, last_posted
from coproduce.insights.indicators import compare_indicator
from coproduce.insights.models import AreaIndicator, ExchangeType, MemberMonth, MonthlyRollup
from coproduce.insights.network import described_picture, figure_rows, layout, network_for
from coproduce.insights.releases import quarter_label
from coproduce.insights.tables import respond as _respond
from coproduce.insights.tables import table as _table
from coproduce.ledger.models import (
    Account,
    AccountKind,
    Entry,
    Transfer,
    TransferKind,
    TransferStatus,
)
from coproduce.ledger.services import community_today
from coproduce.lib.charts import scatter_plot
from coproduce.lib.kept import kept
from coproduce.lib.paging import KeptPages
from coproduce.members.counts import active_members
from coproduce.members.counts import changed_at as people_changed_at
from coproduce.members.models import Membership, MembershipStatus, Role
from coproduce.members.permissions import require_coordinator

OUTREACH_DAYS = 90
OUTREACH_PAGE = 50


def default_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Twelve calendar months ending today: same day a year earlier, plus one."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + datetime.timedelta(days=1), today


MAX_WINDOW_YEARS = 10


def first_day(community, today: datetime.date) -> datetime.date:
    """The first day a window may start: the day the time bank started (never after today)."""
    return min(max(community.started_on, EARLIEST), today)


def whole_months(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The whole calendar months a window touches: the first day of the first, the last of the last."""
    after = (end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return start.replace(day=1), after - datetime.timedelta(days=1)


class WindowForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: datetime.date, first: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.first = first

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period must not be before its start."))
            if end > self.today:
                self.add_error("end", _("The period must not end in the future."))
            if start < self.first:
                self.add_error("start", _("The time bank started on %(date)s: choose that day or a later one.")
                               % {"date": self.first.isoformat()})
            elif (end - start).days > MAX_WINDOW_YEARS * 366:
                self.add_error("start", _("Choose a period of at most %(years)s years.") % {"years": MAX_WINDOW_YEARS})
        return data


def _window(request, community):
    """(form, start, end): the window asked for, or the default one when nothing valid was asked."""
    today = community_today(community)
    first = first_day(community, today)
    start, end = default_window(today)
    start = max(start, first)
    if "start" in request.GET or "end" in request.GET:
        form = WindowForm(request.GET, today=today, first=first)
        if form.is_valid():
            return form, form.cleaned_data["start"], form.cleaned_data["end"], True
        return form, start, end, False
    return WindowForm(initial={"start": start, "end": end}, today=today, first=first), start, end, True


def _picture(result, title):
    positions, edges, total = layout(result.graph)
    if not positions:
        return None
    return mark_safe(described_picture(positions, edges, total, title=title))  # all markup built and escaped there


def _fmt(value, places=2):
    return "–" if value is None else f"{value:.{places}f}"


@login_required
def network(request, slug):
    """Coordinators: the exchange network's figures for a window, the picture, and the best brokers.
    A large time bank's network is worked out in the background (``network_snapshots``): the page
    shows how far that has got, checked again by htmx in place, and the figures when they are ready."""
    access = require_coordinator(request, slug)
    community = access.community
    form, start, end, valid = _window(request, community)
    if valid:
        # Whole months, read from the pairs' monthly roll-up: the ledger's entries joined to
        # themselves for day windows took 7.6 s cold at 100,000 members (issue 19).
        start, end = whole_months(start, end)
    context = {"access": access, "community": community, "form": form, "start": start, "end": end,
               "refresh": REFRESH_SECONDS}
    tables = []
    if valid:
        title = _("Exchange network, %(start)s to %(end)s") % {"start": start, "end": end}
        if network_snapshots.worked_out_in_background(community):
            result, top, names, picture = _from_snapshot(context, community, start, end, title)
        else:
            result, top, names, picture = _worked_out_now(context, community, start, end, title)
        if result is not None:
            tables = [
                _table("network-figures", title, [_("Figure"), _("Value")], figure_rows(result)),
                _table("new-ties", _("New ties per month (a pair's first exchange ever)"),
                       [_("Month"), _("New ties")], [[m, c] for m, c in result.new_ties_by_month.items()]),
                _table("brokers", _("Highest betweenness: who links otherwise separate groups"),
                       [_("Name"), _("Betweenness")],
                       [[names.get(node, "?"), _fmt(score, 3)] for node, score in top if score > 0]),
            ]
            context.update({"table": tables[0], "new_ties": tables[1], "brokers": tables[2], "picture": picture})
    if request.headers.get("HX-Request") == "true" and not request.GET.get("csv"):
        return render(request, "insights/_network_results.html", context)
    return _respond(request, "insights/network.html", context, tables)


REFRESH_SECONDS = 5
BROKERS_SHOWN = 10


def _worked_out_now(context, community, start, end, title):
    """(figures, brokers, their names, picture) worked out in this request; the brokers of a network
    too big for that come from a snapshot worked out in the background."""
    result, parties = network_for(community, start, end, with_betweenness=True)
    top = sorted(result.betweenness.items(), key=lambda item: (-item[1], item[0]))[:BROKERS_SHOWN]
    context["pivots"] = result.betweenness_pivots
    if result.betweenness_deferred:
        snapshot = network_snapshots.ask(community, start, end)
        context["brokers_snapshot"] = snapshot
        top = [tuple(pair) for pair in snapshot.top[:BROKERS_SHOWN]]
        context["pivots"] = snapshot.pivots
    names = {node: parties[node].name for node, _score in top if node in parties}
    return result, top, names, _picture(result, title)


def _from_snapshot(context, community, start, end, title):
    """(figures, brokers, their names, picture) from the window's snapshot, or Nones while the first
    one is being worked out."""
    snapshot = network_snapshots.ask(community, start, end)
    context["snapshot"] = snapshot
    # htmx checks again only while there is nothing to show: never under a reader's eyes.
    context["waiting"] = not snapshot.figures and snapshot.status == snapshot.Status.PENDING
    if not snapshot.figures:
        return None, [], {}, None
    top = [tuple(pair) for pair in snapshot.top[:BROKERS_SHOWN]]
    context["pivots"] = snapshot.pivots
    positions, edges, total, ties = network_snapshots.picture_from(snapshot)
    picture = mark_safe(described_picture(positions, edges, total, title=title, ties=ties)) if positions else None
    return (network_snapshots.figures_from(snapshot), top,
            network_snapshots.names_of(community, [node for node, _score in top]), picture)


def public_network(request, slug):
    """Anyone: a released quarter's network as anonymous dots and protected figures (``insights.releases``)."""
    from coproduce.insights.views_dashboard import public_release

    access, form, release, status, versions = public_release(request, slug)
    context = {"access": access, "community": access.community, "form": form, "release": release,
               "versions": versions}
    if release is None:
        return render(request, "insights/network_public.html", context, status=status)
    network = release.figures["network"]
    tables = network.get("tables") or [network["table"], network["new_ties"]]  # or as released before issue 11
    picture = None
    if network.get("picture"):
        drawn = network["picture"]
        positions = {i: tuple(xy) for i, xy in enumerate(drawn["positions"])}
        title = _("Exchange network, %(quarter)s") % {"quarter": quarter_label(release.period_start)}
        picture = mark_safe(described_picture(  # built and escaped there
            positions, [tuple(e) for e in drawn["edges"]], drawn["total"], title=title))
    context.update({"k": release.k, "quarter": quarter_label(release.period_start), "picture": picture,
                    "rounded": release.rule == "round"})
    return _respond(request, "insights/network_public.html", context, tables)


def _exchange_entries():
    """Entries of posted exchanges (kinds exchange and group) that were not reversed."""
    reversed_ = Transfer.objects.filter(reverses=OuterRef("transfer_id"), status=TransferStatus.POSTED)
    return (Entry.objects.filter(transfer__status=TransferStatus.POSTED,
                                 transfer__kind__in=[TransferKind.EXCHANGE, TransferKind.GROUP])
            .exclude(Exists(reversed_)))


def outreach_members(community, *, days: int, today: datetime.date):
    """Approved members with no exchange in the last `days` days, with their last exchange date
    (the ledger keeps each account's latest exchange day, so this reads no history): those who
    never exchanged first, then the longest since, and among the same day who joined first. The
    order depends on nothing but postings and memberships, so a page of it can be kept until
    either changes (``outreach_signature``)."""
    since = today - datetime.timedelta(days=days)
    return (Membership.objects.active().filter(community=community, role=Role.MEMBER)
            .filter(Q(ledger_accounts__last_exchange_on__lt=since) | Q(ledger_accounts__last_exchange_on__isnull=True))
            .annotate(last_exchange=F("ledger_accounts__last_exchange_on"))
            .select_related("user", "area")
            .order_by(F("last_exchange").asc(nulls_first=True), "pk"))


def outreach_count(community, *, days: int, today: datetime.date, signature: tuple | None = None) -> int:
    """How many members ``outreach_members`` lists, kept until the community next posts or its
    people change (each count reads 100,000 index entries at that size: 40 ms; issue 19).
    ``signature``: ``outreach_signature``, when the caller has read it already."""
    return kept("outreach-count", signature or outreach_signature(community, days, today),
                lambda: counted_outreach(community, days=days, today=today))


def outreach_signature(community, days: int, today: datetime.date) -> tuple:
    """What the outreach list depends on: its days, today, and when the community last posted and
    its people last changed."""
    return community.pk, days, today, last_posted(community), people_changed_at(community)


def counted_outreach(community, *, days: int, today: datetime.date) -> int:
    """``outreach_count`` from three index-only counts instead of reading each member: active
    members, less the member accounts with a recent exchange, plus those recent accounts whose
    membership is not an active member's (left, or now a coordinator)."""
    since = today - datetime.timedelta(days=days)
    members = active_members(community, role=Role.MEMBER)
    recent = Account.objects.filter(community=community, kind=AccountKind.MEMBER, last_exchange_on__gte=since)
    not_members = Membership.objects.filter(community=community).filter(
        Q(status__in=[s for s in MembershipStatus.values if s != MembershipStatus.ACTIVE])
        | Q(status=MembershipStatus.ACTIVE, role__in=[r for r in Role.values if r != Role.MEMBER]))
    return members - recent.count() + recent.filter(membership__in=not_members).count()


def _outreach_rows(members):
    """The whole list for the CSV, read in chunks; a generator, so the page itself never reads it."""
    never = _("never")
    for membership in members.iterator(chunk_size=2000):
        yield [membership.user.name, membership.area.name if membership.area else "–",
               membership.last_exchange.isoformat() if membership.last_exchange else never]


@login_required
def outreach(request, slug):
    """Coordinators: members who have not exchanged lately, to get back in touch with; ``?csv=outreach``: all
    of them (names are personal data: the CSV goes through this view, so through the same check)."""
    access = require_coordinator(request, slug)
    community = access.community
    error = None
    days = OUTREACH_DAYS
    if "days" in request.GET:
        try:
            days = int(request.GET["days"])
            if not 1 <= days <= 3650:
                raise ValueError
        except ValueError:
            error = _("Enter a whole number of days from 1 to 3650.")
            days = OUTREACH_DAYS
    today = community_today(community)
    members = outreach_members(community, days=days, today=today)
    # Sorting 100,000 members by their last exchange took 150 ms at every look (issue 19): the
    # count and each page's members are kept until the community posts or its people change.
    signature = outreach_signature(community, days, today)  # read once for the count and the page
    pages = KeptPages(members, count=outreach_count(community, days=days, today=today, signature=signature),
                      signature=("outreach", *signature))
    page = Paginator(pages, OUTREACH_PAGE).get_page(request.GET.get("page"))
    whole_list = _table("outreach", ngettext("Members with no exchange in the last %(days)s day",
                                             "Members with no exchange in the last %(days)s days", days)
                        % {"days": days}, [_("Member"), _("Area"), _("Last exchange")], _outreach_rows(members))
    return _respond(request, "insights/outreach.html", {
        "access": access, "community": community, "page": page, "days": days, "error": error,
        "whole_list": whole_list,
    }, [whole_list])


def area_strength(community, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """``worked_out_area_strength``, kept until the community next posts or anyone joins, moves area
    or leaves (the signature below says so), so the areas page reads it in a few milliseconds
    instead of half a second at 100,000 members (issue 19)."""
    first, last = whole_months(start, end)
    return kept("area-strength", (community.pk, first, last, last_posted(community), people_changed_at(community)),
                lambda: worked_out_area_strength(community, first, last))


def worked_out_area_strength(community, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """Per area, over the whole months the window touches (``whole_months``): exchange minutes
    given there (each giver's minutes in the giver's own area, members' and organisations', the
    product brief's one rule "By area"), and the area's active members and how many both gave and
    received. Read from the monthly roll-ups the postings keep, never the ledger's entries: two
    years of a 100,000-member bank took 10 s from the entries (issue 19). Two queries."""
    first, last = whole_months(start, end)
    by_area: dict[int, dict] = {}
    members = (MemberMonth.objects.filter(community=community, month__range=(first, last),
                                          account__membership__area__isnull=False)
               .values("account_id", "account__membership__area_id")
               .annotate(gave=Sum("given"), received=Sum("received")))
    for row in members:
        if not (row["gave"] or row["received"]):  # what a reversal left: nothing happened
            continue
        area = by_area.setdefault(row["account__membership__area_id"], {"minutes": 0, "active": 0, "both": 0})
        area["active"] += 1
        area["both"] += 1 if row["gave"] and row["received"] else 0
    given = (MonthlyRollup.objects.filter(community=community, month__range=(first, last), area__isnull=False)
             .exclude(exchange_type__in=NOT_EXCHANGE_HOURS).values("area_id").annotate(minutes=Sum("minutes")))
    for row in given:
        if row["minutes"]:
            by_area.setdefault(row["area_id"], {"minutes": 0, "active": 0, "both": 0})["minutes"] += row["minutes"]
    return by_area


# Roll-up rows that are not exchange hours (the product brief): reported apart, never by area here.
NOT_EXCHANGE_HOURS = (ExchangeType.GIFT, ExchangeType.POT_GRANT, ExchangeType.CROSSING)


POPULATION = "population"


def area_measures(community, start, end) -> tuple[list[tuple[str, dict[int, float]]], dict[int, float]]:
    """[(measure label, {area id: value})], and the population by area where one was imported."""
    strength = area_strength(community, start, end)
    population = {row.area_id: float(row.value) for row in AreaIndicator.objects.filter(
        community=community, indicator__iexact=POPULATION).order_by("year")}  # latest year wins
    measures = []
    if population:
        measures.append((_("Exchange hours per 1,000 residents"),
                         {a: s["minutes"] / 60 * 1000 / population[a] for a, s in strength.items()
                          if population.get(a)}))
        measures.append((_("Active members per 1,000 residents"),
                         {a: s["active"] * 1000 / population[a] for a, s in strength.items()
                          if population.get(a)}))
    else:
        measures.append((_("Exchange hours (no population figures imported)"),
                         {a: s["minutes"] / 60 for a, s in strength.items()}))
        measures.append((_("Active members (no population figures imported)"),
                         {a: float(s["active"]) for a, s in strength.items()}))
    measures.append((_("Reciprocity rate"), {a: s["both"] / s["active"] for a, s in strength.items() if s["active"]}))
    return measures, population


# area_measures' three measures, in its order, for the names of the comparison tables' CSV downloads
MEASURE_NAMES = ("hours", "active", "reciprocity")


def _unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``, … when two indicators slugify alike ("Crime" and "crime")."""
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


@login_required
def areas(request, slug):
    """Coordinators: core-economy strength per area beside each imported indicator, with Pearson's r."""
    access = require_coordinator(request, slug)
    community = access.community
    form, start, end, valid = _window(request, community)
    comparisons = []
    strength = None
    tables = []
    if valid:
        start, end = whole_months(start, end)  # what the roll-ups hold, and so what the tables say
        measures, _population = area_measures(community, start, end)
        names = (AreaIndicator.objects.filter(community=community).exclude(indicator__iexact=POPULATION)
                 .values_list("indicator", flat=True).distinct().order_by("indicator"))
        area_names = dict(community.areas.values_list("pk", "name"))
        area_rows = [[area_names[a]] + [_fmt(values.get(a)) for _label, values in measures]
                     for a in sorted(area_names, key=lambda pk: area_names[pk])]
        strength = _table("strength-by-area", _("Core-economy strength by area, %(start)s to %(end)s")
                          % {"start": start, "end": end}, [_("Area")] + [label for label, _values in measures],
                          area_rows)
        tables.append(strength)
        taken = {strength["name"]}
        for index, name in enumerate(names):
            for m_index, (key, (label, values)) in enumerate(zip(MEASURE_NAMES, measures, strict=True)):
                comparison = compare_indicator(community, name, values)
                chart = None
                if comparison.points:
                    chart = mark_safe(scatter_plot(  # the chart function escapes every string
                        [(x, y) for _code, x, y in comparison.points], x_label=str(label), y_label=name,
                        point_labels=[code for code, _x, _y in comparison.points], trend=comparison.trend,
                        title=f"{label} / {name}", chart_id=f"scatter-{index}-{m_index}",
                        desc=_("One dot per area. The figures are in the table below.")))
                table = _table(_unique_name(f"{slugify(name) or 'indicator'}-{key}", taken), f"{label} / {name}",
                               [_("Area code"), label, name],
                               [[code, _fmt(x), _fmt(y)] for code, x, y in comparison.points])
                tables.append(table)
                comparisons.append({"chart": chart, "r": comparison.r, "n": comparison.n, "table": table})
    return _respond(request, "insights/areas.html", {
        "access": access, "community": community, "form": form, "strength": strength,
        "comparisons": comparisons,
    }, tables)


class OutreachMessageForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Your message"), widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=5000)


@login_required
def outreach_message(request, slug, member_pk):
    """Coordinators: start a conversation with a member from the outreach list (conversations.services)."""
    from coproduce.conversations.services import start_conversation
    from coproduce.members.permissions import member_in
    from coproduce.members.views import add_form_errors

    access = require_coordinator(request, slug)
    recipient = member_in(access, member_pk)
    if access.membership is None:  # a site admin: messages are between members
        raise PermissionDenied(_("You need a membership in %(community)s to write to its members.")
                               % {"community": access.community.name})
    initial = {"body": _("Hello %(name)s, we have not seen you at the time bank for a while. How are you? "
                         "Is there anything we can help with, or something you would like to offer?")
               % {"name": recipient.user.name}}
    form = OutreachMessageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = start_conversation(sender=access.membership, recipient=recipient,
                                              body=form.cleaned_data["body"], actor=request.user)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect("conversations:detail", slug=slug, pk=conversation.pk)
    return render(request, "insights/outreach_message.html", {
        "access": access, "community": access.community, "form": form, "recipient": recipient,
    })
