"""Coproduce settings: one file, read from the environment.

Defaults make a fresh clone run on SQLite with DEBUG off-by-default safety; production
sets the variables documented in README.md ("Configuration").
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from coproduce.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("COPRODUCE_VAR_DIR", str(BASE_DIR / "var")))

TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if (DEBUG or TESTING) else None)
# Sessions, password-reset links and e-mail unsubscribe links are signed with it: a short or
# published key lets anyone forge them. The same test as Django's deploy check (security.W009),
# plus our own development key.
_WEAK_SECRET_KEY = (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY == _DEV_SECRET_KEY
                    or SECRET_KEY.startswith("django-insecure-"))
if not (DEBUG or TESTING) and _WEAK_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use a random value of at least 50 characters, "
        "such as the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if (DEBUG or TESTING) else [])
if not (DEBUG or TESTING) and not ALLOWED_HOSTS:
    # Otherwise every request would get a bare "400 Bad Request" with nothing in the logs.
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the site's host name, such as coproduce.example.org.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "csp",
    "coproduce.accounts",
    "coproduce.audit",
    "coproduce.communities",
    "coproduce.members",
    "coproduce.partners",
    "coproduce.rewards",
    "coproduce.localmoney",
    "coproduce.groups",
    "coproduce.referrals",
    "coproduce.ledger",
    "coproduce.market",
    "coproduce.safeguarding",
    "coproduce.conversations",
    "coproduce.notifications",
    "coproduce.insights",
    "coproduce.outcomes",
    "coproduce.assets",
    "coproduce.federation",  # issue 17: time banks that trade with each other
    "coproduce.demo",
    "coproduce.web",
    "coproduce.api",  # issue 17: the JSON API and personal access tokens
    "coproduce.privacy",  # issue 20: people's data: a copy, erasure, the records of processing
    "rest_framework",
    "drf_spectacular",
    "django_tasks",  # issue 4: the django-tasks backport (Django's task framework)
    "django_tasks_db",  # issue 4: its database backend; run `manage.py db_worker`
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coproduce.accounts.middleware.RequireTwoFactorMiddleware",
    # After the log-in: a person's own language, else their community's (issue 18).
    "coproduce.web.middleware.PreferredLanguageMiddleware",
]

ROOT_URLCONF = "coproduce.urls"
WSGI_APPLICATION = "coproduce.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coproduce" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coproduce.web.context_processors.site",
                "coproduce.web.context_processors.navigation",
            ],
            "builtins": ["coproduce.web.templatetags.translated_text"],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
_default_db = f"sqlite:///{VAR_DIR / 'coproduce.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets readers and one writer work together; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
FORM_RENDERER = "coproduce.web.form_renderer.Renderer"  # <select> without a template per option
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = env_str("REDIS_URL", "")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_REDIRECT_URL = "my_home"  # everyone lands on their own home page
LOGIN_URL = "account_login"

# django-allauth: e-mail login, verified e-mail, throttled failures, TOTP.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset answer the same whether or not an address has an account, so
# nobody can find out who is a member (of a time bank for older or vulnerable people, say).
# The address's owner hears instead: sign-up with a registered address e-mails them that they
# already have an account, and a reset for an unknown address e-mails that there is none.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "coproduce.accounts.forms.SignupDetailsForm"
ACCOUNT_ADAPTER = "coproduce.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # Five wrong passwords for one account from one client address in five minutes lock that
    # account's log-in from that address for the rest of the window (the key is account and
    # address: AccountAdapter), so a stranger cannot lock a member out; twenty failures a minute
    # from one address slow it down whatever accounts it tries. The TOTP step counts wrong codes
    # per person with the same rates. Counted in the cache: REDIS_URL shares it between processes.
    "login_failed": "20/m/ip,5/5m/key",
}
# A password reset never logs anyone in; they log in afterwards, TOTP step included.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Coproduce] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Coproduce"
# Left off (allauth's default): "trust this browser" would skip the TOTP step, and
# coproduce.accounts.mfa refuses coordinators and site admins any session without it.
MFA_TRUST_ENABLED = False

# E-mail: printed to the console in development, SMTP in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Coproduce <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. COPRODUCE_HTTPS=true is part of every production configuration.
HTTPS = env_bool("COPRODUCE_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Rate limits count per client address. Behind one reverse proxy every request comes
    # from the proxy, so without this one person's wrong passwords would lock everyone out;
    # take the address the proxy appended to X-Forwarded-For instead.
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles and images from our own static files
# only. No inline <script>, <style>, style="" or on...="" anywhere: page-specific behaviour goes
# in a static file, and htmx is told not to inject its indicator styles (base.html).
# The directory's map: Leaflet draws tiles from this server ("{z}/{x}/{y}" template; empty: a map
# without tiles, as in the tests, which must make no request outside the machine). Use a tile
# server whose terms allow your traffic (OpenStreetMap's own is for light use only).
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")


def tile_origin(template: str) -> list[str]:
    """The CSP source for a tile URL template: its origin, with Leaflet's "{s}" subdomains as a
    wildcard ("https://{s}.tile.example.org/{z}/{x}/{y}.png" -> "https://*.tile.example.org")."""
    if not template:
        return []
    parts = urlsplit(template.replace("{s}.", "*."))
    if parts.scheme not in ("https", "http") or not parts.netloc or "{" in parts.netloc:
        raise ImproperlyConfigured(f"MAP_TILE_URL must be an http(s) URL template, not {template!r}.")
    return [f"{parts.scheme}://{parts.netloc}"]



# The JSON API (coproduce/api): bearer tokens only (no session, so no CSRF), JSON only, limits per
# token in the shared cache, every error as {"errors": {field: [messages]}}.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["coproduce.api.authentication.BearerToken"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["coproduce.api.throttling.PerToken"],
    "DEFAULT_THROTTLE_RATES": {"token": env_str("API_RATE", "300/min"),
                               "anonymous": env_str("API_ANONYMOUS_RATE", "60/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "coproduce.api.errors.handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coproduce API",
    "DESCRIPTION": "A time bank's members, partners and figures. Authenticate with a personal access token.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "coproduce.api.schema.add_refusals"],
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *tile_origin(MAP_TILE_URL)],  # data: the TOTP QR code; the map's tiles
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
# Each language named in itself, as the switcher on every page shows it (issue 18).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg"), ("es", "Español")]
# Our catalogues (makemessages keeps cy and es up to date), then our Welsh for allauth's own
# words (allauth ships no Welsh; en_GB's allauth words live in the first).
LOCALE_PATHS = [BASE_DIR / "coproduce" / "locale", BASE_DIR / "coproduce" / "locale_allauth"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Background tasks (issue 4: notifications). Production queues in the database and a
# worker (`python manage.py db_worker`) sends, so nothing is lost if the web server
# restarts. Development (DEBUG, `make demo`) and tests run tasks at once, in-process.
# TASKS_BACKEND overrides: "database" or "immediate".
_tasks_backend = env_str("TASKS_BACKEND", "immediate" if (DEBUG or TESTING) else "database")
if _tasks_backend not in {"database", "immediate"}:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'immediate'.")
# Above this many accounts a community's network page is worked out by the task worker, not
# while the coordinator waits (``insights.network_snapshots``; about 6 s at 100,000 members).
NETWORK_INLINE_MAX_PARTIES = env_int("NETWORK_INLINE_MAX_PARTIES", 5_000)

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend" if _tasks_backend == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"},
                 "console_warnings": {"class": "logging.StreamHandler", "level": "WARNING"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per task state change is noise in the demo and the web log; the worker's
    # operator can turn it back on with TASKS_LOG_LEVEL=INFO.
    # WeasyPrint turns fontTools up to DEBUG while it subsets fonts for the PDF report: only
    # warnings from it reach the log.
    "loggers": {"django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
                "fontTools": {"level": "WARNING", "handlers": ["console_warnings"], "propagate": False}},
}
