"""Settings come from the environment, read by typed helpers that fail loudly."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from coproduce.lib.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("raw", "expected"), [
    ("true", True), ("True", True), ("1", True), ("yes", True), ("on", True),
    ("false", False), ("0", False), ("no", False), ("off", False), ("", False), (" FALSE ", False),
])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X", raw)
    assert env_bool("X") is expected


def test_env_bool_refuses_maybe(monkeypatch):
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X must be true or false"):
        env_bool("X")


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("X", raising=False)
    assert env_bool("X", True) is True


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("X", "ten")
    with pytest.raises(ImproperlyConfigured, match="X must be a whole number"):
        env_int("X", 5)


def test_env_int_reads_numbers_and_defaults(monkeypatch):
    monkeypatch.setenv("X", " 42 ")
    assert env_int("X", 5) == 42
    monkeypatch.delenv("X")
    assert env_int("X", 5) == 5


def test_env_str_without_value_or_default_fails(monkeypatch):
    monkeypatch.delenv("X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable X"):
        env_str("X")


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("X", "a.example, ,b.example,")
    assert env_list("X") == ["a.example", "b.example"]


# The real settings module, loaded in a fresh interpreter (without pytest, so as in production).

def production_environment(tmp_path, **overrides):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "coproduce.example.org",
        "COPRODUCE_HTTPS": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_deploy_check_passes_with_the_production_variables(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_static_files_collect_for_production(tmp_path):
    """Whitenoise's manifest storage refuses a stylesheet or script that names a missing file
    (a vendored script's source map, an image in a stylesheet): the deploy would stop there."""
    result = manage("collectstatic", "--noinput", "-v0",
                    env=production_environment(tmp_path, COPRODUCE_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/leaflet/leaflet.js" in manifest and "assets/directory_map.js" in manifest


def test_missing_secret_key_in_production_fails_loudly(tmp_path):
    result = manage("check", env=production_environment(tmp_path, SECRET_KEY=None))
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_missing_allowed_hosts_in_production_fails_loudly(tmp_path):
    result = manage("check", env=production_environment(tmp_path, ALLOWED_HOSTS=None))
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("DEBUG", "maybe", "DEBUG must be true or false"),
    ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be a whole number"),
    ("DATABASE_URL", "not-a-database", "DATABASE_URL"),
])
def test_bad_production_values_fail_loudly(tmp_path, variable, value, message):
    result = manage("check", env=production_environment(tmp_path, **{variable: value}))
    assert result.returncode != 0
    assert message in result.stderr


def test_behind_a_proxy_https_and_client_addresses_come_from_the_proxy(tmp_path):
    code = ("from django.conf import settings; "
            "print(settings.SECURE_PROXY_SSL_HEADER, settings.ALLAUTH_TRUSTED_PROXY_COUNT)")
    result = manage("shell", "-c", code, env=production_environment(tmp_path, BEHIND_PROXY="true"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("('HTTP_X_FORWARDED_PROTO', 'https') 1")


@pytest.mark.parametrize(("template", "sources"), [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
    ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", ["https://*.tiles.example.org"]),
    ("http://localhost:8080/tiles/{z}/{x}/{y}.png", ["http://localhost:8080"]),
    ("", []),  # no tile server: the policy allows no other origin
])
def test_the_policy_allows_the_map_tile_server_and_nothing_else(template, sources):
    from coproduce.settings import tile_origin

    assert tile_origin(template) == sources


@pytest.mark.parametrize("template", ["tile.example.org/{z}/{x}/{y}.png", "ftp://x.org/{z}", "https://{a}.x.org/{z}"])
def test_a_tile_server_that_is_not_a_web_address_is_refused(template):
    from coproduce.settings import tile_origin

    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_URL"):
        tile_origin(template)


def test_the_policy_sent_names_the_configured_tile_server(client, settings):
    from coproduce.settings import MAP_TILE_URL, tile_origin

    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert f"img-src 'self' data: {' '.join(tile_origin(MAP_TILE_URL))}".strip() + ";" in policy + ";"
