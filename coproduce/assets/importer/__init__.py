"""Reading another directory's Open Referral UK feed (HSDS-UK-3.0) into ours.

A feed is read whole first (``GET <base>/`` for the version, then ``/services?page=N`` page by page,
and ``/services/{id}`` where a list item is not fully nested), every service is checked against the
vendored UK profile schema and our own rules, and only then is anything written, in one
transaction: an import with any error writes nothing. Records are upserted by their HSDS id and keep
where they came from and when. A record edited here since its last import, or one made here, is
never overwritten: the differences are reported as a conflict for a coordinator to resolve.

The steps, one module each: ``reading`` (feed or file to rows), ``schema`` (the UK profile's
schema), ``checking`` (rows to checked values, every problem collected), ``writing`` (one
transaction), and ``report`` (what was found and done).
"""

from coproduce.assets.importer.checking import check_rows, parse_service
from coproduce.assets.importer.reading import (
    FEED_VERSION,
    MAX_PAGES,
    MAX_RESPONSE_BYTES,
    TIMEOUT_SECONDS,
    Row,
    check_public_url,
    http_fetch,
    read_feed,
    read_file,
)
from coproduce.assets.importer.report import Conflict, ImportFailed, ImportReport
from coproduce.assets.importer.schema import schema_problems
from coproduce.assets.importer.writing import import_feed, import_file, import_rows

__all__ = [
    "FEED_VERSION",
    "MAX_PAGES",
    "MAX_RESPONSE_BYTES",
    "TIMEOUT_SECONDS",
    "Conflict",
    "ImportFailed",
    "ImportReport",
    "Row",
    "check_public_url",
    "check_rows",
    "http_fetch",
    "import_feed",
    "import_file",
    "import_rows",
    "parse_service",
    "read_feed",
    "read_file",
    "schema_problems",
]
