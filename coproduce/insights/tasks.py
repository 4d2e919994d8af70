"""Background work for insights: the PDF report (``report.py``), which takes longer to print than a
page should wait. Networks too big to work out while a page waits have theirs in
``network_snapshots``."""

import datetime

from django.utils import timezone
from django_tasks import task

REPORTS_KEPT_DAYS = 30  # a made report stays downloadable this long; older ones are cleared


@task()
def make_report(report_id: int) -> None:
    """Print one asked-for PDF report, then e-mail the requester a link (ready or failed)."""
    import logging

    from coproduce.insights import report
    from coproduce.insights.figures import Period
    from coproduce.insights.models import ReportRequest

    wanted = ReportRequest.objects.select_related("community", "requested_by").filter(pk=report_id).first()
    if wanted is None or wanted.status != ReportRequest.Status.PENDING:
        return  # cleared, or already made by an earlier run of a retried task
    from django.utils import translation

    from coproduce.communities.languages import language_for

    try:
        # Printed in the requester's language, not the worker's.
        with translation.override(language_for(wanted.requested_by, wanted.community)):
            wanted.pdf = report.build_pdf(wanted.community, Period(wanted.start, wanted.end))
        wanted.status = ReportRequest.Status.DONE
    except report.PdfUnavailable as error:
        wanted.status, wanted.error = ReportRequest.Status.FAILED, str(error)
    except Exception:  # a failed run must say so on the page, not leave it "being made" for ever
        logging.getLogger(__name__).exception("The report %s could not be made.", report_id)
        wanted.status = ReportRequest.Status.FAILED
        wanted.error = report.GENERIC_FAILURE
    wanted.finished_at = timezone.now()
    wanted.save(update_fields=["pdf", "status", "error", "finished_at"])
    report.email_requester(wanted)


def request_report(community, period, *, user):
    """The report for ``period`` as asked for by ``user``: the one they already asked for and that is
    still being made (a second click does not print it twice), or a new one queued now."""
    from django.db import transaction

    from coproduce.insights.models import ReportRequest

    with transaction.atomic():
        ReportRequest.objects.filter(
            community=community,
            requested_at__lt=timezone.now() - datetime.timedelta(days=REPORTS_KEPT_DAYS)).delete()
        waiting = ReportRequest.objects.filter(community=community, requested_by=user, start=period.start,
                                               end=period.end, status=ReportRequest.Status.PENDING).first()
        if waiting is not None:
            return waiting
        wanted = ReportRequest.objects.create(community=community, requested_by=user, start=period.start,
                                              end=period.end)
        transaction.on_commit(lambda: make_report.enqueue(wanted.pk))
    return wanted
