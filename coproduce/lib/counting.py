"""Several counts in one round trip to the database (the header's badges on every page)."""

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet


def _count_sql(querysets: dict[str, QuerySet]) -> tuple[str, str, list]:
    """(database alias, ``SELECT (SELECT COUNT(*) FROM (…)), …``, its parameters)."""
    databases = {queryset.db for queryset in querysets.values()}
    if len(databases) != 1:
        raise ValueError(f"counts are read from one database at a time, not {sorted(databases)}")
    counts, params = [], []
    for queryset in querysets.values():
        if not (queryset.query.distinct or queryset._fields is not None):
            queryset = queryset.values("pk")  # its rows, without the columns nobody counts
        sql, query_params = queryset.order_by().query.sql_with_params()
        counts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(query_params)
    return databases.pop(), f"SELECT {', '.join(counts)}", params


def _read(alias: str, sql: str, params: list, names) -> dict[str, int]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


def count_each(**querysets: QuerySet) -> dict[str, int]:
    """``{name: queryset.count()}``, read in one query: ``SELECT (SELECT COUNT(*) FROM (…)), …``.

    Each queryset is counted as ``.count()`` counts it: its rows (its distinct values, after
    ``.values(…).distinct()``); ordering and ``select_related`` change nothing. Not for a sliced
    queryset. All of them must use the same database.
    """
    if not querysets:
        return {}
    alias, sql, params = _count_sql(querysets)
    return _read(alias, sql, params, querysets)


# (name, the ids' names) -> (database, SQL, each parameter as ("id", its name) or ("value", itself),
# the counts' names)
_compiled: dict[tuple, tuple[str, str, list[tuple[str, object]], tuple[str, ...]]] = {}
_SENTINEL = -7_340_000_000_000  # an id no row has, distinct per name below


def count_each_for(name: str, build: Callable[..., dict[str, QuerySet]], **ids: int) -> dict[str, int]:
    """``count_each(**build(**ids))``, with the SQL built once per process for each ``name``.

    Building and compiling a few querysets costs more than running them (1.3 ms of the header's
    2.3 ms on every page, issue 19). ``build`` must depend on nothing but the ids it is given (no
    clock, no settings): it is called with stand-in ids, and their places in the compiled parameters
    take the real ids at every later call. Built twice, it must give the same SQL and parameters
    both times (a filter on ``timezone.now()`` does not), or it is refused.
    """
    key = (name, tuple(sorted(ids)))
    if key not in _compiled:
        stand_ins = {id_name: _SENTINEL - position for position, id_name in enumerate(sorted(ids))}
        querysets = build(**stand_ins)
        alias, sql, params = _count_sql(querysets)
        if _count_sql(build(**stand_ins)) != (alias, sql, params):  # the clock moved between the two
            raise ValueError(f"{name}: the counts depend on more than the ids (the clock?); use count_each")
        by_value = {value: id_name for id_name, value in stand_ins.items()}
        places = []
        for param in params:
            is_id = isinstance(param, int) and not isinstance(param, bool) and param in by_value
            places.append(("id", by_value[param]) if is_id else ("value", param))
        missing = set(ids) - {place for kind, place in places if kind == "id"}
        if missing:
            raise ValueError(f"{name}: the counts do not use {sorted(missing)}")
        _compiled[key] = (alias, sql, places, tuple(querysets))
    alias, sql, places, names = _compiled[key]
    params = [ids[place] if kind == "id" else place for kind, place in places]
    return _read(alias, sql, params, names)
