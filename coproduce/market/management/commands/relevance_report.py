import json
from dataclasses import asdict

from django.core.management.base import BaseCommand
from django.db import transaction

from coproduce.market.relevance.evaluate import build, evaluate


class Command(BaseCommand):
    help = "Precision@5 of match suggestions on the labelled set (built and rolled back; nothing is kept)."

    def handle(self, *args, **options):
        with transaction.atomic():
            _community, cases = build(slug="relevance-set-report")
            result = evaluate(cases)
            transaction.set_rollback(True)
        self.stdout.write(json.dumps(asdict(result)))
