import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
application = get_wsgi_application()


def _ready_for_requests() -> None:
    """Build once what every request needs (the URL patterns, each language's catalogue, the base
    layout), then take all of it out of the garbage collector's sweeps with ``gc.freeze()``.

    Each full collection otherwise walks these 180,000 long-lived objects again: about 70 ms, every
    few pages of a worker (issue 19's load test showed a page's p95 at eight times its median). After
    the freeze a full collection walks only what requests made since.
    """
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018  (imports every app's views and urls)
    get_resolver()._populate()  # the reverse() lookup tables
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
    get_template("base.html")
    gc.collect()  # what setting up left behind is freed, not frozen
    gc.freeze()


_ready_for_requests()
