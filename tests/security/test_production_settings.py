"""Production settings refuse what would be unsafe, and pass Django's deploy check as documented.

The real settings module runs in a fresh interpreter, without pytest, as in production.
"""

import secrets

import pytest

from coproduce.web.tests.test_settings import manage, production_environment

WEAK_KEYS = {
    "short": "s3cr3t-but-short",
    "the development key": "insecure-development-key-do-not-use-in-production",
    "Django's startproject key": "django-insecure-" + secrets.token_urlsafe(50),
    "few distinct characters": "ab" * 40,
}


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_a_weak_secret_key_stops_the_server(tmp_path, key):
    # Sessions, password-reset links and unsubscribe links are signed with it: a guessable key
    # lets anyone forge a logged-in session (as a site admin, TOTP record and all).
    result = manage("check", env=production_environment(tmp_path, SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak for production" in result.stderr


def test_a_long_random_secret_key_starts(tmp_path):
    result = manage(
        "check", env=production_environment(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    )
    assert result.returncode == 0, result.stderr


def test_the_deploy_check_passes_with_the_documented_production_variables(tmp_path):
    # README, "Production deployment".
    env = production_environment(
        tmp_path,
        BEHIND_PROXY="true",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SITE_URL="https://timebank.example.org",
        ALLOWED_HOSTS="timebank.example.org",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="true",
        EMAIL_HOST_USER="timebank",
        EMAIL_HOST_PASSWORD="x",
        DEFAULT_FROM_EMAIL="Time bank <hello@example.org>",
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_asks_for_redis(tmp_path):
    # Each gunicorn worker's own memory would count its own five guesses per account.
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_environment(tmp_path, REDIS_URL=None),
    )
    assert result.returncode != 0
    assert "coproduce.W001" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_the_redis_cache_has_its_client_library(tmp_path):
    # Without the redis package the first log-in in production (its throttling reads the cache)
    # failed with ModuleNotFoundError. Nothing listens on port 1: a connection error is the answer.
    code = (
        "from django.core.cache import cache\n"
        "try:\n    cache.get('x')\nexcept Exception as error:\n"
        "    print(type(error).__module__, type(error).__name__)"
    )
    result = manage(
        "shell", "-c", code, env=production_environment(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("redis.exceptions ConnectionError"), result.stdout
