"""The exchange network for a window (product brief, "Measurement: definitions").

Nodes are members and organisations with at least one posted exchange (kinds exchange and
group, transfers that were later reversed left out) performed in the window; an
undirected edge joins two parties who exchanged. The pot is never a node: a member (or
organisation) whose only exchanges were with the pot, such as a facilitator of a session the
pot paid for, is a node without ties. The pair list comes from ONE aggregate SQL query
(entries self-joined on the transfer, giver against receiver, grouped by pair; pairs with the
pot included, for those nodes); everything after that is pure computation (`figures`).
"""

import datetime
import hashlib
import hmac
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx
from django.db import connection

from coproduce.insights.models import PairMonth
from coproduce.ledger.models import (
    Account,
    AccountKind,
    Entry,
    Transfer,
    TransferKind,
    TransferStatus,
)

# Betweenness costs one breadth-first search per starting point, each visiting every node and
# tie: about a second per start in networkx for 80,000 people and 400,000 ties. A page works
# it out itself within a budget of node-and-tie visits (exactly when it fits, else from a
# fixed-seed sample of at least MIN_INLINE_PIVOTS starts); beyond that it is estimated in the
# background from BACKGROUND_PIVOTS starts (``insights.network_snapshots.work_out_network``),
# fewer when they would exceed BACKGROUND_BUDGET visits (never fewer than MIN_BACKGROUND_PIVOTS):
# 200 starts over 100,000 people and 600,000 ties kept the worker busy for over ten minutes.
INLINE_BUDGET = 3_000_000
MIN_INLINE_PIVOTS = 100
BACKGROUND_PIVOTS = 200
BACKGROUND_BUDGET = 60_000_000
MIN_BACKGROUND_PIVOTS = 50
PICTURE_MAX_NODES = 150
# Among the best-connected 150 of a large bank nearly everyone is tied to everyone: 10,000 lines,
# half a megabyte of page and 100 ms to draw (issue 19). Past this many, the ties drawn are those
# between the best connected.
PICTURE_MAX_TIES = 800
# Average clustering counts triangles around every node: minutes for 700,000 ties. Above this
# many ties it is estimated from CLUSTERING_TRIALS random (node, two neighbours) draws
# (networkx's approximation; standard error about 0.004).
CLUSTERING_EXACT_MAX_TIES = 50_000
CLUSTERING_TRIALS = 20_000


def betweenness_pivots(nodes: int, ties: int) -> tuple[int | None, bool]:
    """(starting points, None for all of them; whether a page may work it out now)."""
    per_start = nodes + ties
    if nodes * per_start <= INLINE_BUDGET:
        return None, True
    pivots = INLINE_BUDGET // per_start
    if pivots >= MIN_INLINE_PIVOTS:
        return pivots, True
    affordable = max(MIN_BACKGROUND_PIVOTS, BACKGROUND_BUDGET // per_start)
    return min(nodes, BACKGROUND_PIVOTS, affordable), False


@dataclass(frozen=True)
class Party:
    area_id: int | None = None
    age_band: str = ""  # "" when unknown or not consented
    name: str = ""
    pot: bool = False  # the community pot: never a node


@dataclass
class NetworkFigures:
    nodes: int
    ties: int
    new_ties_by_month: dict[str, int]
    mean_degree: float | None
    largest_component_share: float | None
    average_clustering: float | None
    bridging_areas: int
    bridging_age_bands: int
    betweenness: dict[int, float] = field(default_factory=dict)  # node -> score; coordinators only
    betweenness_pivots: int | None = None  # starting points it was estimated from; None: exact
    betweenness_deferred: bool = False  # too big to work out now: see insights.network_snapshots.work_out_network
    clustering_estimated: bool = False  # from CLUSTERING_TRIALS samples, not every node
    graph: nx.Graph | None = None


def figures(edges: Iterable[tuple[int, int]], parties: Mapping[int, Party], *,
            first_exchanged: Mapping[tuple[int, int], datetime.date] | None = None,
            with_betweenness: bool = False, background: bool = False,
            lone_nodes: Iterable[int] = (), progress=None) -> NetworkFigures:
    """Figures of an undirected network from its edges (pairs of node ids) and ``lone_nodes``
    (parties who exchanged only with the pot: nodes without ties).

    ``with_betweenness`` works betweenness out when it fits a page's budget and otherwise
    marks it deferred; ``background`` (the task) works it out from BACKGROUND_PIVOTS starts.
    ``progress`` is told each stage ("measuring", "brokers") as it starts.
    """
    progress = progress or (lambda stage: None)
    progress("measuring")
    graph = nx.Graph()
    graph.add_nodes_from(lone_nodes)
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    n, ties = graph.number_of_nodes(), graph.number_of_edges()
    if n:
        largest = max(len(c) for c in nx.connected_components(graph))
    unknown = Party()
    bridging_areas = bridging_ages = 0
    for a, b in graph.edges():
        pa, pb = parties.get(a, unknown), parties.get(b, unknown)
        if pa.area_id is not None and pb.area_id is not None and pa.area_id != pb.area_id:
            bridging_areas += 1
        if pa.age_band and pb.age_band and pa.age_band != pb.age_band:
            bridging_ages += 1
    by_month = Counter()
    for pair, first in (first_exchanged or {}).items():
        if graph.has_edge(*pair):
            by_month[first.year, first.month] += 1
    new_ties = {f"{year:04d}-{month:02d}": count for (year, month), count in by_month.items()}
    betweenness, pivots, deferred = {}, None, False
    if (with_betweenness or background) and n > 2:
        pivots, inline = betweenness_pivots(n, ties)
        if inline or background:
            progress("brokers")
            betweenness = nx.betweenness_centrality(graph, k=pivots, seed=6 if pivots else None)
        else:
            deferred = True
    estimated = ties > CLUSTERING_EXACT_MAX_TIES
    if not n:
        clustering = None
    elif estimated:
        from networkx.algorithms import approximation

        clustering = approximation.average_clustering(graph, trials=CLUSTERING_TRIALS, seed=6)
    else:
        clustering = nx.average_clustering(graph)
    return NetworkFigures(
        nodes=n, ties=ties, new_ties_by_month=dict(sorted(new_ties.items())),
        mean_degree=2 * ties / n if n else None,
        largest_component_share=largest / n if n else None,
        average_clustering=clustering, clustering_estimated=estimated,
        bridging_areas=bridging_areas, bridging_age_bands=bridging_ages,
        betweenness=betweenness, betweenness_pivots=pivots, betweenness_deferred=deferred, graph=graph,
    )


_LOW = "CASE WHEN g.account_id < r.account_id THEN g.account_id ELSE r.account_id END"
_HIGH = "CASE WHEN g.account_id < r.account_id THEN r.account_id ELSE g.account_id END"


def _pairs_sql(select: str, where: str, group: str, having: str = "") -> str:
    """Receiving entries joined to giving entries of the same posted, not reversed exchange."""
    entry, transfer, account = Entry._meta.db_table, Transfer._meta.db_table, Account._meta.db_table
    return f"""
        SELECT {select}
        FROM {entry} g
        JOIN {entry} r ON r.transfer_id = g.transfer_id AND r.amount > 0 AND r.account_id <> g.account_id
        JOIN {transfer} t ON t.id = g.transfer_id
        JOIN {account} ga ON ga.id = g.account_id
        JOIN {account} ra ON ra.id = r.account_id
        WHERE g.amount < 0 AND t.status = %s AND t.kind IN (%s, %s) {where}
          AND ga.kind IN (%s, %s, %s) AND ra.kind IN (%s, %s, %s)
          AND NOT EXISTS (SELECT 1 FROM {transfer} v WHERE v.reverses_id = t.id AND v.status = %s)
        GROUP BY {group} {having}
    """


def _pair_params(head: list, tail: list = ()) -> list:
    kinds = [AccountKind.MEMBER, AccountKind.ORGANISATION, AccountKind.POT]
    return [TransferStatus.POSTED, TransferKind.EXCHANGE, TransferKind.GROUP, *head, *kinds, *kinds,
            TransferStatus.POSTED, *tail]


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def ledger_pairs(community=None) -> list[tuple[int, int, int, datetime.date, int]]:
    """(community, low account, high account, day, exchanges) from the ledger itself: what
    ``PairMonth`` is rebuilt from."""
    where, head = ("AND t.community_id = %s", [community.pk]) if community is not None else ("", [])
    sql = _pairs_sql(f"t.community_id, {_LOW}, {_HIGH}, t.performed_on, COUNT(*)", where,
                     f"t.community_id, {_LOW}, {_HIGH}, t.performed_on")
    with connection.cursor() as cursor:
        cursor.execute(sql, _pair_params(head))
        return [(c, a, b, _as_date(day), n) for c, a, b, day, n in cursor.fetchall()]


def _whole_months(start: datetime.date, end: datetime.date) -> bool:
    return start.day == 1 and (end + datetime.timedelta(days=1)).day == 1


def edge_rows(community, start: datetime.date, end: datetime.date) -> list[tuple[int, int, datetime.date]]:
    """(account a, account b, first exchange ever) for every pair who exchanged in the window; one
    query. A window of whole months reads ``PairMonth`` (the first exchange is then the first
    day of its month, which is all the monthly figures use); any other window, the ledger."""
    if _whole_months(start, end):
        table = PairMonth._meta.db_table
        sql = f"""
            SELECT low_id, high_id, MIN(month) FROM {table}
            WHERE community_id = %s AND month <= %s AND exchanges > 0
            GROUP BY low_id, high_id
            HAVING MAX(CASE WHEN month >= %s THEN 1 ELSE 0 END) = 1
        """
        params = [community.pk, end.replace(day=1), start]
    else:
        sql = _pairs_sql(f"{_LOW} AS a, {_HIGH} AS b, MIN(t.performed_on) AS first_on",
                         "AND t.community_id = %s AND t.performed_on <= %s", f"{_LOW}, {_HIGH}",
                         "HAVING MAX(CASE WHEN t.performed_on >= %s THEN 1 ELSE 0 END) = 1")
        params = _pair_params([community.pk, end], [start])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(a, b, _as_date(first)) for a, b, first in cursor.fetchall()]


def parties_for(community) -> dict[int, Party]:
    """Area, consented age band and name of every member and organisation account, and the pot;
    one query."""
    rows = Account.objects.filter(community=community).values_list(
        "pk", "kind", "membership__area_id", "organisation__area_id", "membership__user__demographics__age_band",
        "membership__user__name", "organisation__name")
    return {pk: Party(area_id=m_area if m_area is not None else o_area, age_band=band or "",
                      name=m_name or o_name or "", pot=kind == AccountKind.POT)
            for pk, kind, m_area, o_area, band, m_name, o_name in rows}


def network_for(community, start: datetime.date, end: datetime.date, *, with_betweenness: bool = False,
                background: bool = False, progress=None) -> tuple[NetworkFigures, dict[int, Party]]:
    if progress:
        progress("reading")
    rows = edge_rows(community, start, end)
    parties = parties_for(community)
    pots = {pk for pk, party in parties.items() if party.pot}
    ties = [(a, b, f) for a, b, f in rows if a not in pots and b not in pots]
    lone = {b if a in pots else a for a, b, _f in rows if (a in pots) != (b in pots)}
    first = {(a, b): f for a, b, f in ties if start <= f <= end}
    result = figures([(a, b) for a, b, _ in ties], parties, first_exchanged=first,
                     with_betweenness=with_betweenness, background=background, lone_nodes=lone,
                     progress=progress)
    return result, parties


def layout(graph: nx.Graph, max_nodes: int = PICTURE_MAX_NODES) -> tuple[dict, list, int]:
    """Positions (0..1) of at most `max_nodes` nodes (the best connected), the edges among them, the total."""
    total = graph.number_of_nodes()
    shown = graph
    if total > max_nodes:
        keep = sorted(graph.degree, key=lambda item: (-item[1], item[0]))[:max_nodes]
        shown = graph.subgraph(node for node, _ in keep).copy()  # a view would filter every neighbour each pass
    if not shown.number_of_nodes():
        return {}, [], total
    positions = _force_layout(shown)
    return positions, list(shown.edges()), total


def _keyed(secret: str, node) -> bytes:
    return hmac.new(secret.encode(), str(node).encode(), hashlib.sha256).digest()


def anonymous_layout(graph: nx.Graph, secret: str, max_nodes: int = PICTURE_MAX_NODES
                     ) -> tuple[list[tuple[float, float]], list[tuple[int, int]], int]:
    """A public picture that carries no identifier: (positions by dot number, ties as pairs of dot
    numbers, the network's size). Dots are numbered, laid out and drawn in an order drawn from
    ``secret`` (one per release, never shown), not in account-id order, which members can tie
    back to people; among equally connected people, who is left out of a large picture is
    drawn from it too."""
    keep = sorted(graph.nodes, key=lambda node: (-graph.degree(node), _keyed(secret, node)))[:max_nodes]
    order = sorted(keep, key=lambda node: _keyed(secret, node))
    number = {node: i for i, node in enumerate(order)}
    shown = nx.Graph()
    shown.add_nodes_from(range(len(order)))
    shown.add_edges_from((number[a], number[b]) for a, b in graph.subgraph(keep).edges())
    if not order:
        return [], [], graph.number_of_nodes()
    seed = int.from_bytes(hashlib.sha256(b"layout:" + secret.encode()).digest()[:8], "big")
    positions = _force_layout(shown, seed=seed)
    edges = sorted((min(a, b), max(a, b)) for a, b in shown.edges())
    return [positions[i] for i in range(len(order))], edges, graph.number_of_nodes()


def network_picture(positions: Mapping, edges: Iterable[tuple], *, title: str, desc: str,
                    chart_id: str = "network", width: int = 640, height: int = 480) -> str:
    """Anonymous dots and lines, laid out on the server; no names, no labels."""
    from coproduce.lib.charts import GRID, PRIMARY, _n, _open

    pad = 16
    parts = _open(width, height, title, desc, chart_id)

    def px(node):
        x, y = positions[node]
        return pad + x * (width - 2 * pad), pad + y * (height - 2 * pad)

    parts.append(f'<g class="ties" stroke="{GRID}" stroke-width="1">')
    for a, b in edges:
        (ax, ay), (bx, by) = px(a), px(b)
        parts.append(f'<line x1="{_n(ax)}" y1="{_n(ay)}" x2="{_n(bx)}" y2="{_n(by)}"/>')
    parts.append(f'</g><g class="people" fill="{PRIMARY}">')
    for node in positions:
        x, y = px(node)
        parts.append(f'<circle class="dot" cx="{_n(x)}" cy="{_n(y)}" r="4"/>')
    parts.append("</g></svg>")
    return "".join(parts)


def drawn_ties(edges: Iterable[tuple], limit: int = PICTURE_MAX_TIES) -> tuple[list[tuple], int]:
    """(the ties a picture draws, how many there are): all of them up to ``limit``, else those
    between the best-connected dots first (ties in order, for a picture that repeats)."""
    edges = sorted((min(a, b), max(a, b)) for a, b in edges)
    if len(edges) <= limit:
        return edges, len(edges)
    degree = Counter(node for edge in edges for node in edge)
    ranked = sorted(edges, key=lambda edge: (-min(degree[edge[0]], degree[edge[1]]), edge))
    return sorted(ranked[:limit]), len(edges)


def described_picture(positions: Mapping, edges: Iterable[tuple], total: int, *, title: str,
                      chart_id: str = "network", ties: int | None = None) -> str:
    """The anonymous picture with a description saying how much of the network it draws. ``ties``:
    how many ties the drawn dots have, when ``edges`` is already only some of them."""
    from django.utils.translation import gettext as _

    edges, among = drawn_ties(edges)
    among = max(among, ties or 0)

    if total > len(positions):
        desc = _("Each dot is a person or organisation, each line a tie. The %(shown)s best-connected of "
                 "%(total)s are drawn; the figures are in the table. No names are shown.") % {
            "shown": len(positions), "total": total}
    else:
        desc = _("Each dot is a person or organisation, each line a tie; %(total)s dots. The figures are "
                 "in the table. No names are shown.") % {"total": total}
    if among > len(edges):
        desc += " " + _("Of the %(ties)s ties between them, the %(drawn)s between the best connected are "
                        "drawn.") % {"ties": among, "drawn": len(edges)}
    return network_picture(positions, edges, title=title, desc=desc, chart_id=chart_id)


def _force_layout(graph: nx.Graph, iterations: int = 40, seed: int = 6) -> dict:
    """Fruchterman–Reingold in pure Python (networkx's own layouts need numpy), seeded so it repeats."""
    rng = random.Random(seed)
    nodes = sorted(graph.nodes)
    pos = {node: [rng.random(), rng.random()] for node in nodes}
    k = math.sqrt(1 / len(nodes))
    temperature = 0.1
    edges = list(graph.edges())
    for _ in range(iterations):
        move = {node: [0.0, 0.0] for node in nodes}
        for i, a in enumerate(nodes):
            ax, ay = pos[a]
            for b in nodes[i + 1:]:
                dx, dy = ax - pos[b][0], ay - pos[b][1]
                dist2 = max(dx * dx + dy * dy, 1e-6)
                force = k * k / dist2  # repulsion k²/d, as a multiple of the unit vector times d
                move[a][0] += dx * force
                move[a][1] += dy * force
                move[b][0] -= dx * force
                move[b][1] -= dy * force
        for a, b in edges:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            dist = max(math.hypot(dx, dy), 1e-3)
            force = dist / k  # attraction d²/k
            move[a][0] -= dx * force
            move[a][1] -= dy * force
            move[b][0] += dx * force
            move[b][1] += dy * force
        for node in nodes:
            mx, my = move[node]
            length = max(math.hypot(mx, my), 1e-9)
            step = min(length, temperature)
            pos[node][0] += mx / length * step
            pos[node][1] += my / length * step
        temperature *= 0.93
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {node: ((p[0] - min(xs)) / span_x, (p[1] - min(ys)) / span_y) for node, p in pos.items()}


def figure_rows(result: NetworkFigures) -> list[list]:
    """The network's figures as table rows, for coordinators (the public's are protected in
    ``insights.releases``)."""
    from django.utils.translation import gettext as _

    def fmt(value):
        return "–" if value is None else f"{value:.2f}"

    return [
        [_("People and organisations in the network"), result.nodes],
        [_("Ties"), result.ties],
        [_("Mean degree (ties per person)"), fmt(result.mean_degree)],
        [_("Share in the largest connected group"), fmt(result.largest_component_share)],
        [_("Average clustering (estimated from a sample of people)") if result.clustering_estimated
         else _("Average clustering"), fmt(result.average_clustering)],
        [_("Ties bridging different areas"), result.bridging_areas],
        [_("Ties bridging different age bands (consenting members)"), result.bridging_age_bands],
    ]
