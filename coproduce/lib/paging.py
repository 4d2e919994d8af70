"""Pages of a list that may be very long (issue 19): counting two million ledger transfers took
longer than showing a page of them, and nobody pages past the first few hundred."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from coproduce.lib.kept import kept

COUNT_UP_TO = 10_000


class CappedPaginator(Paginator):
    """A paginator that counts no further than ``cap`` rows: ``capped`` says there are more (the
    page shows "Page 3 of 400 or more", and a search narrows them)."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_UP_TO if cap is None else cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


class CountedPaginator(Paginator):
    """A paginator told how many rows its list holds (a count kept elsewhere, such as
    ``members.counts.active_members``), so it never counts them itself."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


class KeptPages:
    """A long queryset paged through a Paginator, its count given and each page's primary keys kept
    in the cache under ``signature``: what the list's membership and order depend on, so a kept
    page is never a wrong one (the outreach list, issue 19). Only the page's rows are then read,
    by primary key, each time, so what they show (a name, an area) is always current."""

    def __init__(self, queryset, *, count: int, signature: tuple):
        self.queryset = queryset
        self._count = count
        self.signature = signature

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, part: slice) -> list:
        keys = kept("kept-page", (*self.signature, part.start, part.stop),
                    lambda: list(self.queryset.values_list("pk", flat=True)[part]))
        rows = {row.pk: row for row in self.queryset.filter(pk__in=keys)}
        return [rows[pk] for pk in keys if pk in rows]
