"""Django settings, derived from :mod:`spool.config` (the only place that reads the environment)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit

from spool.config import BASE_DIR, config
from spool.databases import databases

DATA_DIR = config.data_dir
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = config.secret_key
DEBUG = config.debug
ALLOWED_HOSTS = [*config.allowed_hosts, config.domain.split(":")[0]]
CSRF_TRUSTED_ORIGINS = [config.public_url]
SPOOL = config
# Per-action rate limits by scope, overriding the defaults in the services (``SPOOL_RATE_LIMITS``).
RATE_LIMITS: dict[str, int] = dict(config.rate_limits)
# Parallel test workers share one Redis: keep their keys apart.
KEY_PREFIX = config.key_prefix + os.environ.get("PYTEST_XDIST_WORKER", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "spool.core",
    "spool.media",
    "spool.rollout",
    "spool.accounts",
    "spool.identities",
    "spool.posts",
    "spool.oauth",
    "spool.moderation",
    "spool.notifications",
    "spool.timelines",
    "spool.communities",
    "spool.search",
    "spool.feeds",
    "spool.messaging",
    "spool.demo",
    "spool.exports",
    "spool.realtime",
    "spool.federation",
    "spool.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Django's sessions, CSRF, signed-in user and messages, for everything but Mastodon-API calls with a
    # bearer token and POSTs to the federation inboxes, which use none of them
    # (spool.web.middleware.pageless).
    "spool.web.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "spool.web.middleware.CsrfViewMiddleware",
    "spool.web.middleware.AuthenticationMiddleware",
    # Keeps Settings → Sessions up to date (device, address, last seen).
    "spool.web.middleware.SessionActivityMiddleware",
    "spool.web.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "spool.web.middleware.SecurityHeadersMiddleware",
    # ActivityStreams JSON for profile and post URLs when a fediverse server asks for it.
    "spool.federation.negotiation.ActivityPubNegotiationMiddleware",
    # Mastodon API only (path-scoped): CORS for browser apps, then the per-token rate limit.
    "spool.api.mastodon.middleware.CorsMiddleware",
    "spool.api.mastodon.middleware.RateLimitMiddleware",
    # A database too busy to take a write: 503 + Retry-After instead of a 500.
    "spool.core.busy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "spool.urls"
ASGI_APPLICATION = "spool.asgi.application"
WSGI_APPLICATION = "spool.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "spool.web.context.spool_context",
            ],
        },
    }
]

# --- Data -------------------------------------------------------------------------------------------
# One strategy per backend for reusing connections under ASGI: see spool.databases.
DATABASES = databases(config, DATA_DIR)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES: dict[str, dict[str, Any]]
if config.redis_url:
    CACHES = {
        "default": {
            # Django's Redis cache, with one connection pool per process (see spool.core.cache).
            "BACKEND": "spool.core.cache.RedisCache",
            "LOCATION": config.redis_url,
            "KEY_PREFIX": KEY_PREFIX,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Per-site (and per test worker) prefix, as for cache keys.
            "CONFIG": {"hosts": [config.redis_url], "prefix": f"{KEY_PREFIX}:asgi"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "spool",
            # Rendered statuses are cached per post (spool.api.mastodon.entities.cached): Django's default of
            # 300 entries is less than a few home pages hold, so pages were rendered again on every request.
            "OPTIONS": {"MAX_ENTRIES": config.local_cache_entries},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "spool.realtime.layers.InProcessChannelLayer"}}

# --- Background work ----------------------------------------------------------------------------------
# Embedded: Kombu's filesystem transport needs no server; the worker and the web server share var/broker.
# spool.core.broker's subclass makes each message appear whole (written aside, then renamed into place).
_broker_dir = DATA_DIR / "broker"
CELERY_BROKER_URL = config.celery_broker_url or config.redis_url or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT = "spool.core.broker:AtomicFilesystemTransport"
    for sub in ("in", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connections (and, in a prefork worker, PostgreSQL's pool) only
# every this many tasks, not around each one; spool.celery gives connections back after each task (see there).
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "expire-ghost-posts": {"task": "spool.posts.tasks.expire_ghost_posts", "schedule": 60.0},
    "close-ended-polls": {"task": "spool.posts.tasks.close_ended_polls", "schedule": 60.0},
    "delete-orphaned-media": {"task": "spool.posts.tasks.delete_orphaned_media", "schedule": 3600.0},
    "purge-expired-oauth-codes": {"task": "spool.oauth.tasks.purge_expired_codes", "schedule": 3600.0},
    "timelines-upkeep": {"task": "spool.timelines.tasks.upkeep", "schedule": 3600.0},
    "prune-message-changes": {"task": "spool.messaging.tasks.prune_changes", "schedule": 86400.0},
    "refresh-trending": {"task": "spool.feeds.tasks.refresh_trending", "schedule": 300.0},
    "refresh-candidate-pools": {"task": "spool.feeds.tasks.refresh_candidate_pools", "schedule": 300.0},
    "award-community-leaders": {"task": "spool.communities.tasks.award_leaders", "schedule": 3600.0},
    "prune-spam-fingerprints": {"task": "spool.moderation.tasks.prune_fingerprints", "schedule": 3600.0},
    "federation-retry-deliveries": {
        "task": "spool.federation.tasks.retry_deliveries",
        "schedule": config.federation_retry_interval_seconds,
    },
    "expire-data-exports": {"task": "spool.exports.tasks.expire_data_exports", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Appended to whenever remembered bearer tokens must be forgotten (spool.oauth.credentials); every process
# on the machine watches it.
TOKEN_GENERATION_FILE = DATA_DIR / "token-generation"

# --- Accounts -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = config.https
CSRF_COOKIE_SECURE = config.https
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Reset links (spool.accounts.email_flows) work for one hour.
PASSWORD_RESET_TIMEOUT = 3600

# --- Email ----------------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = config.email_from or f"Spool <noreply@{config.domain.split(':')[0]}>"
_email = urlsplit(config.email_url)
if _email.scheme in ("smtp", "smtps"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp" and "tls=0" not in _email.query
    EMAIL_TIMEOUT = 10
elif _email.scheme == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _email.path if _email.scheme == "file" and _email.path else str(DATA_DIR / "mail")

# --- Media and static ----------------------------------------------------------------------------------
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
DATA_UPLOAD_MAX_MEMORY_SIZE = config.media_max_upload_bytes * 2
FILE_UPLOAD_MAX_MEMORY_SIZE = config.media_max_upload_bytes

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO" if DEBUG else "WARNING"},
}

BASE_DIR = BASE_DIR
