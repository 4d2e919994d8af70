"""Measure the directory at 10,000 assets (issue 15), on the demo community.

    python manage.py bench_assets [--assets 10000] [--runs 40]

Adds assets to the demo until it has ``--assets`` services (bulk, ``demo.assets``), then, through
the whole middleware as a browser's requests: the map's data for a town-sized viewport, the
directory's list (first page, and a text search), and ``/oruk/services`` pages of 50 across the
feed. Prints one JSON line with p50/p95 in milliseconds and each p95 over a trivial page's (the
log-in page) measured in the same run. Targets: each p95 at most 100 ms.
"""

import json
import random
import statistics

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from coproduce.assets.models import Service
from coproduce.communities.models import Area, Community
from coproduce.demo.assets import seed_assets
from coproduce.demo.logins import DEMO_LOGINS, DEMO_SLUG
from coproduce.demo.management.commands.bench_home import _host, _measure, _percentile
from coproduce.testing import Client


class Command(BaseCommand):
    help = "Print one JSON line: the directory's map data, list and Open Referral UK feed at 10,000 assets."

    def add_arguments(self, parser):
        parser.add_argument("--assets", type=int, default=10_000)
        parser.add_argument("--runs", type=int, default=40)

    def handle(self, *args, assets, runs, **options):
        community = Community.objects.filter(slug=DEMO_SLUG).first()
        if community is None:
            raise CommandError("Seed the demo first (python manage.py seed_demo).")
        have = Service.objects.filter(community=community).count()
        if have < assets:
            seed_assets(community, random.Random(15), assets - have)
        area = Area.objects.filter(community=community, latitude__isnull=False).order_by("pk").first()
        bbox = ",".join(f"{v:.5f}" for v in (float(area.longitude) - 0.05, float(area.latitude) - 0.03,
                                              float(area.longitude) + 0.05, float(area.latitude) + 0.03))
        member = get_user_model().objects.get(email=DEMO_LOGINS["member"])
        client = Client(HTTP_HOST=_host())
        trivial = _measure(client, "/accounts/login/", runs)
        client.force_login(member)
        total = Service.objects.listed().filter(community=community).count()
        pages = max(1, -(-total // 50))
        urls = {
            "map": [f"/c/{DEMO_SLUG}/directory/map.json?bbox={bbox}"],
            "list": [f"/c/{DEMO_SLUG}/directory/", f"/c/{DEMO_SLUG}/directory/?q=lunch+club"],
            "oruk": [f"/oruk/services?per_page=50&page={page}" for page in sorted({1, pages // 2 or 1, pages})],
        }
        result = {"services": total, "runs": runs, "trivial_p95_ms": round(_percentile(trivial, 95), 2)}
        try:
            for name, paths in urls.items():
                timings = [t for path in paths for t in _measure(client, path, max(1, runs // len(paths)))]
                p95 = _percentile(timings, 95)
                result[f"{name}_p50_ms"] = round(statistics.median(timings), 2)
                result[f"{name}_p95_ms"] = round(p95, 2)
                result[f"{name}_p95_ratio"] = round(p95 / result["trivial_p95_ms"], 2)
        finally:
            client.logout()
        self.stdout.write(json.dumps(result))
