"""Pages of a list that may be very long (issue 19): counting two million ledger transfers took
longer than showing a page of them, and nobody pages past the first few hundred."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

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
