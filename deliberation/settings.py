"""Torget settings — everything that differs between machines comes from the
environment.

Two profiles (see README "Configuration"):
* embedded default (`make run`): SQLite in WAL mode under DATA_DIR, in-memory channel
  layer, Celery tasks run in-process after commit, e-mail to the console;
* production (`TORGET_ENV=production`): PostgreSQL (DATABASE_URL), Redis (REDIS_URL) for
  the channel layer and cache, a Celery broker (CELERY_BROKER_URL), SMTP (EMAIL_URL).
"""

from __future__ import annotations

import ipaddress
import os
import sys
import warnings
from datetime import timedelta
from pathlib import Path
from typing import TypedDict, overload
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


@overload
def env(name: str) -> str | None: ...
@overload
def env(name: str, default: str) -> str: ...
def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip() for item in (env(name, default) or "").split(",") if item.strip()
    ]


TORGET_ENV = env("TORGET_ENV", "development")
PRODUCTION = TORGET_ENV == "production"
TESTING = env_bool("TORGET_TESTING", "pytest" in sys.modules)

DEFAULT_SECRET_KEY = "dev-insecure-torget-secret-key-change-me"  # noqa: S105
SECRET_KEY = env("DJANGO_SECRET_KEY", DEFAULT_SECRET_KEY)
if PRODUCTION and (SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 32 characters "
        "when TORGET_ENV=production."
    )
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

# Django's test set-up adds "testserver" itself; no default serves it.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# bench/ only: route /bench/hello/, the bare Django view the benchmarks compare with.
BENCH_HELLO = env_bool("TORGET_BENCH_HELLO", False)
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "data")))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "deliberation.members",
    "deliberation.audit",
    "deliberation.discussions",
    "deliberation.notifications",
    "proposals",
    "voting",
    "delegations",
    "congress",
    "frontend",
    "partyfill",
]

MIDDLEWARE = [
    "deliberation.observability.request_id.RequestIdMiddleware",
    "deliberation.observability.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "deliberation.api.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "deliberation.members.middleware.SignInLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "deliberation.security.ContentSecurityPolicyMiddleware",
    "deliberation.security.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "deliberation.urls"
WSGI_APPLICATION = "deliberation.wsgi.application"
ASGI_APPLICATION = "deliberation.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "frontend.context_processors.torget",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # Persistent connections (a new one costs more than most requests); each request
    # first checks a reused connection with `SELECT 1`, so after a PostgreSQL restart
    # or a dropped connection the request reconnects instead of failing with a 500.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(env("DB_CONN_MAX_AGE", "60") or 60),
            conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
        )
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "torget.sqlite3"),
            "OPTIONS": {
                # WAL lets readers and the writer work at the same time.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.Member"

# --- Redis: channel layer and cache --------------------------------------------------
REDIS_URL = env("REDIS_URL")
REDIS_POOL_SIZE = int(env("REDIS_POOL_SIZE", "50") or 50)
PRESENCE_POOL_SIZE = int(env("PRESENCE_POOL_SIZE", "10") or 10)
if REDIS_URL:
    # The pub/sub layer delivers every message and recovers after a Redis restart
    # (DESIGN.md §4); clients resync by `seq` from the database whatever happens.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": REDIS_POOL_SIZE,
                        # an unreachable Redis fails fast (and is logged), never hangs
                        "socket_connect_timeout": 2,
                    }
                ],
                "prefix": env("CHANNEL_PREFIX", "torget"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", "torget"),
            "OPTIONS": {
                "max_connections": REDIS_POOL_SIZE,
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery --------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", not env("CELERY_BROKER_URL")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "Europe/Stockholm"
# the worker logs through LOGGING below (JSON lines with the request id)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {}  # apps add entries in deliberation/celery.py
# A task whose worker died unacknowledged goes back to the queue after this many
# seconds (Redis broker); every task here is idempotent, so redelivery is harmless.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery") or "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600") or 3600)
}

# --- Notifications (docs/notifications.md) -------------------------------------------
NOTIFICATION_CHUNK = int(env("NOTIFICATION_CHUNK", "500") or 500)
NOTIFICATION_DIGEST_HOUR = int(env("NOTIFICATION_DIGEST_HOUR", "7") or 7)
NOTIFICATION_DIGEST_WEEKDAY = int(env("NOTIFICATION_DIGEST_WEEKDAY", "0") or 0)
NOTIFICATION_DIGEST_SPREAD = int(env("NOTIFICATION_DIGEST_SPREAD", "60") or 60)
NOTIFICATION_DIGEST_CHUNK = int(env("NOTIFICATION_DIGEST_CHUNK", "200") or 200)
NOTIFICATION_DIGEST_TASKS_PER_TICK = int(
    env("NOTIFICATION_DIGEST_TASKS_PER_TICK", "50") or 50
)
NOTIFICATION_RETRY_AFTER = int(env("NOTIFICATION_RETRY_AFTER", "60") or 60)
NOTIFICATION_SWEEP_SECONDS = float(env("NOTIFICATION_SWEEP_SECONDS", "30") or 30)

# --- E-mail --------------------------------------------------------------------------


def parse_email_url(url: str) -> dict:
    """smtp://user:pass@host:port[?tls=1|ssl=1], console://, file:///path, locmem://"""
    parsed = urlparse(url)
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if scheme in {"smtp", "smtps", "submission"}:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps" or query.get("ssl") == "1",
            "EMAIL_USE_TLS": scheme == "submission" or query.get("tls") == "1",
            "EMAIL_TIMEOUT": 10,
        }
    raise ImproperlyConfigured(f"EMAIL_URL has an unknown scheme: {scheme!r}")


globals().update(parse_email_url(env("EMAIL_URL", "console://") or "console://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Torget <torget@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": (
            "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
        )
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = int(env("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)) or 0)
INVITATION_TIMEOUT_DAYS = int(env("INVITATION_TIMEOUT_DAYS", "14") or 14)
# Sign-in limits (deliberation/members/login_limits.py, README "Sign-in limits").
LOGIN_MAX_FAILURES = int(env("LOGIN_MAX_FAILURES", "5") or 5)
LOGIN_LOCKOUT_SECONDS = int(env("LOGIN_LOCKOUT_SECONDS", "900") or 900)
LOGIN_MAX_ADDRESS_FAILURES = int(env("LOGIN_MAX_ADDRESS_FAILURES", "50") or 50)
LOGIN_KNOWN_ADDRESS_DAYS = int(env("LOGIN_KNOWN_ADDRESS_DAYS", "30") or 30)
PASSWORD_RESET_MAX_PER_EMAIL = int(env("PASSWORD_RESET_MAX_PER_EMAIL", "3") or 3)
PASSWORD_RESET_MAX_PER_ADDRESS = int(env("PASSWORD_RESET_MAX_PER_ADDRESS", "10") or 10)
PASSWORD_RESET_WINDOW_SECONDS = int(
    env("PASSWORD_RESET_WINDOW_SECONDS", "3600") or 3600
)
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# none by default, so the header is ignored (deliberation/client_address.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or network"
        ) from _exc
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Security ------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = int(
    env("SECURE_HSTS_SECONDS", "0" if not PRODUCTION else "31536000") or 0
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("BEHIND_TLS_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

PERMISSIONS_POLICY = env(
    "PERMISSIONS_POLICY",
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # + ws(s)://<this host> per request (deliberation/security.py)
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- I18n ----------------------------------------------------------------------------
LANGUAGE_CODE = env("TORGET_LANGUAGE", "en")
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
WHITENOISE_USE_FINDERS = True
# Without `collectstatic` (make run, tests) the finders serve the files; WhiteNoise's
# warning about the missing STATIC_ROOT is noise then.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
WHITENOISE_AUTOREFRESH = DEBUG

# --- REST framework ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "deliberation.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        # depth, size, an object at the top (deliberation/inputs.py)
        "deliberation.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "deliberation.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "write": env("THROTTLE_WRITE", "120/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Torget API",
    "DESCRIPTION": "Propose, deliberate and decide — the API of Torget.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # `<id:...>` paths: 1 … 2**63 - 1 (deliberation/inputs.py, api/schema.py)
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "deliberation.api.schema.add_error_responses",
    ],
}

# --- Logging -------------------------------------------------------------------------
# JSON lines (one object per record, with the request id that caused it) in
# production, readable text in development; LOG_FORMAT=json|text overrides.
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "deliberation.observability.request_id.RequestIdFilter"}
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (404 while unset).
METRICS_TOKEN = env("METRICS_TOKEN", "")

WEBSOCKET_ALLOWED_ORIGINS = env_list("WEBSOCKET_ALLOWED_ORIGINS", "") or None


class TorgetSettings(TypedDict):
    DEMO_PASSWORD: str
    INVITATION_TIMEOUT: timedelta


TORGET: TorgetSettings = {
    "DEMO_PASSWORD": "demo-pass-2026",
    "INVITATION_TIMEOUT": timedelta(days=INVITATION_TIMEOUT_DAYS),
}

AUTHENTICATION_BACKENDS = ["deliberation.members.backends.UsernameOrEmailBackend"]

# --- Discussions (deliberation/discussions, docs/realtime.md) -------------------------
COMMENT_RATE = env("COMMENT_RATE", "10") or "10"  # per window, or "10/min" style
COMMENT_RATE_WINDOW = int(env("COMMENT_RATE_WINDOW", "60") or 60)  # seconds
COMMENT_MAX_LENGTH = int(env("COMMENT_MAX_LENGTH", "10000") or 10000)

# --- Voting (voting/, docs/voting.md) ------------------------------------------------
POLL_MIN_DURATION = int(env("POLL_MIN_DURATION", "3600") or 3600)  # seconds
POLL_BREAKDOWN_MIN_VOTERS = int(env("POLL_BREAKDOWN_MIN_VOTERS", "10") or 10)
POLL_MIN_MEMBERSHIP_DAYS = int(env("POLL_MIN_MEMBERSHIP_DAYS", "0") or 0)
DELEGATION_REMIND_DAYS = int(env("DELEGATION_REMIND_DAYS", "14") or 14)
# The secret that seals secret ballots until the close (with a per-poll salt). Keep it
# out of the database and its backups; it defaults to the Django secret key.
BALLOT_KEY = env("BALLOT_KEY", SECRET_KEY)

# --- Personal data (deliberation/members/personal_data.py, docs/personal-data.md) ----
# Days between a member's request to delete their account and the erasure (0: at once).
ERASURE_GRACE_DAYS = int(env("ERASURE_GRACE_DAYS", "7") or 0)
# Where data exports (ZIP files) are written; the web and worker processes share it.
DATA_EXPORT_DIR = Path(env("DATA_EXPORT_DIR", str(DATA_DIR / "exports")))
DATA_EXPORT_EXPIRY_HOURS = int(env("DATA_EXPORT_EXPIRY_HOURS", "48") or 48)
DATA_EXPORT_RETENTION_DAYS = int(env("DATA_EXPORT_RETENTION_DAYS", "30") or 30)
SUBMISSION_KEY_RETENTION_DAYS = int(env("SUBMISSION_KEY_RETENTION_DAYS", "7") or 7)
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(14 * 24 * 3600)) or 1209600)
# Delivered notifications (and their e-mail log) are kept this many days.
NOTIFICATION_RETENTION_DAYS = int(env("NOTIFICATION_RETENTION_DAYS", "180") or 180)

# --- Rules (proposals, docs/flat.md) -------------------------------------------------
# An administrators’ emergency change of a unit’s rules lapses after this many days
# unless a rule proposal adopted by the members confirms it.
POLICY_EMERGENCY_DAYS = int(env("POLICY_EMERGENCY_DAYS", "60") or 60)
