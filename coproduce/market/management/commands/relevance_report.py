import json
from dataclasses import asdict

from django.core.management.base import BaseCommand
from django.db import transaction

from coproduce.market.relevance.evaluate import build, build_requests, evaluate, evaluate_requests


class Command(BaseCommand):
    help = ("Relevance on the labelled sets in market/relevance/: search, match suggestions and category "
            "suggestions (built in a transaction and rolled back; nothing is kept).")

    def add_arguments(self, parser):
        parser.add_argument("--misses", action="store_true", help="also list the requests each part missed")

    def handle(self, *args, misses=False, **options):
        with transaction.atomic():
            community, cases = build_requests(slug="relevance-requests-report")
            report = evaluate_requests(community, cases)
            _earlier, pairs = build(slug="relevance-set-report")
            earlier = evaluate(pairs)
            transaction.set_rollback(True)
        figures = asdict(report)
        missed = figures.pop("misses")
        self.stdout.write(json.dumps({"set": "requests.json", **figures}))
        self.stdout.write(json.dumps({"set": "pairs.json", **asdict(earlier)}))
        if misses:
            for part, titles in missed.items():
                for title in titles:
                    self.stdout.write(f"missed by {part}: {title}")
