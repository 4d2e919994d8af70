from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Log-in throttling and used TOTP codes live in the cache; each gunicorn worker has its own
    local-memory cache, so without Redis every worker would let through its own five guesses and
    accept a TOTP code another worker has already seen."""
    if settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
        return [
            checks.Warning(
                "The cache is each process's own memory, so log-in throttling is not shared between "
                "processes.",
                hint="Set REDIS_URL (for example redis://127.0.0.1:6379/0).",
                id="coproduce.W001",
            )
        ]
    return []
