"""Settings for every environment, read from environment variables.

Production defaults are safe; development conveniences are switched on by ``DJANGO_DEBUG``.
The test suite differs only by environment values (see the Makefile) and a few fixtures in
``tests/conftest.py``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.settings_celery import *  # noqa: F403 (timeouts, delivery, beat schedule)
from config.settings_logging import logging_config
from config.settings_xapi import *  # noqa: F403 (learning records to an LRS)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # local state of a development install: SQLite, media, keys
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key"  # noqa: S105
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
else:
    missing = [
        name
        for name, value in (
            ("DJANGO_SECRET_KEY", SECRET_KEY),
            ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off, so these environment variables must be set: "
            + ", ".join(missing)
            + ". For local development set DJANGO_DEBUG=1 (or use `make demo`)."
        )
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"  # German page in the site's layout

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "cms",
    "training",
    "training.xapi",
    "certificates",
    "workspace.interchange",
    "workspace",
    "accounts",
    "audit",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.wagtail_users.UsersConfig",  # wagtail.users with one account per address
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "djangosaml2",
]

MIDDLEWARE = [
    "core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The SAML login's own cookie (SameSite=None): the IdP posts its answer cross-site.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "core.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.errors.EmptyErrorPageMiddleware",
    "core.errors.RejectNulCharactersMiddleware",
    "cms.tree_cache.RequestTreeVersionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "core.security.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.security.SecurityHeadersMiddleware",
    "core.security.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it sees the lockout flag that a failed login set on the request.
    "axes.middleware.AxesMiddleware",
]

# Benchmark mode: query count and server time on every response, and the bare reference view
# (core/benchmark.py). Off in production; bench/ switches it on for its gunicorn.
BENCHMARK_HEADERS = env.bool("DJANGO_BENCHMARK_HEADERS", default=False)
if BENCHMARK_HEADERS:
    MIDDLEWARE.insert(0, "core.benchmark.BenchmarkHeadersMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request within seconds (then 503), instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DJANGO_DB_CONNECT_TIMEOUT", default=3
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (the embedded default of the demo) for concurrent web use: a write transaction takes
    # the write lock at BEGIN (IMMEDIATE), so two overlapping writes queue instead of one failing
    # with "database is locked" when it upgrades its read lock; a waiting writer retries for up to
    # 20 seconds (timeout); WAL lets readers go on while one writes, and synchronous=NORMAL is
    # safe with WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("DJANGO_SQLITE_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ON_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if ON_POSTGRESQL:
    # Wagtail's database search backend uses PostgreSQL full-text search here.
    INSTALLED_APPS.append("django.contrib.postgres")

REDIS_URL = env.str("REDIS_URL", default="")
# Redis is a cache, never a dependency of a page: when it is unreachable, every cache read is a
# miss and every write is dropped (django-redis' IGNORE_EXCEPTIONS, logged), after at most the
# short socket timeouts below. Sessions live in PostgreSQL only, so logins and logouts hold
# during a Redis outage and no stale session comes back from the cache after one.
REDIS_CACHE_TIMEOUT_SECONDS = env.float("DJANGO_REDIS_CACHE_TIMEOUT_SECONDS", default=0.25)
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "config.cache"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bsa",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_CACHE_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Template fragments (the module body per published revision) go through their own alias: the
# same store as "default" (same Redis database and prefix; locmem with the same location shares
# its dict), or nothing with DJANGO_FRAGMENT_CACHE=0, which the load benchmark sets for its run
# of the uncached module page.
CACHES["fragments"] = (
    dict(CACHES["default"])
    if env.bool("DJANGO_FRAGMENT_CACHE", default=True)
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
)

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "core" / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "DJANGO_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Bürgerservice-Akademie <akademie@localhost>"
)

# --- Security -------------------------------------------------------------------------------
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the app that append to X-Forwarded-For (the compose stack's TLS
# proxy: 1). 0 (default): the client address is REMOTE_ADDR and X-Forwarded-For is ignored; a
# header set by a client itself is never trusted (core.security.client_ip).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Nothing is framed except Wagtail's preview inside the admin (SecurityHeadersMiddleware
# relaxes both headers to same-origin under the admin prefix).
X_FRAME_OPTIONS = "DENY"
# The container health check and the Prometheus scrape call these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
# Sessions end after this much inactivity (ASVS 3.3.2: 30 minutes at level 2); any request renews.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_MINUTES", default=30) * 60
# Renewing writes the session (PostgreSQL and Redis), so it happens at most every five minutes
# (a sixth of a shorter timeout): with 30 minutes a session ends 25–30 minutes after the last
# request, never later. A learner answering a question every 30–90 s writes it on every fifth
# request or so, not every other.
SESSION_RENEW_AFTER_SECONDS = min(5 * 60, SESSION_COOKIE_AGE // 6)
CSRF_COOKIE_HTTPONLY = True
# Multi-factor login (TOTP) for every account that can enter the Wagtail admin.
ADMIN_REQUIRE_2FA = env.bool("DJANGO_ADMIN_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "Bürgerservice-Akademie"
# Brute-force protection: lock after repeated failures, unlock after the cool-off or by a
# trainer in the admin. Per username at one address: guessing one account's password from an
# address is stopped, while a whole administration behind one NAT address is not locked out by
# one colleague's typos, nor an account by a stranger's attempts from elsewhere.
AUTHENTICATION_BACKENDS = [
    "core.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful logins need no record (data minimisation)
AXES_VERBOSE = False
# Content Security Policy: no inline scripts or styles on participant pages. The Wagtail admin
# gets its own, relaxed policy (core.security.ADMIN_CSP_REPLACE): its templates use inline
# scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "frame-src": [
            SELF,
            "https://www.youtube-nocookie.com",
            "https://www.youtube.com",
            "https://player.vimeo.com",
        ],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), fullscreen=(self)"
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "training:dashboard"
LOGOUT_REDIRECT_URL = "/"
# --- Organisation login (single sign-on): its settings are in config/settings_sso.py --------
from config.settings_sso import *  # noqa: E402, F403

ACS_DEFAULT_REDIRECT_URL = LOGIN_REDIRECT_URL
WAGTAILADMIN_LOGIN_URL = "wagtailadmin_login" if SSO_LOCAL_LOGIN else LOGIN_URL  # noqa: F405

# --- Language -------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
# Each language is named in itself, so a person finds their own.
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Zurich"
USE_I18N = True
USE_TZ = True

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Bürgerservice-Akademie"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("de", "Deutsch"), ("en", "English")]
# PostgreSQL full text with German stemming on PostgreSQL, SQLite FTS5 in the embedded demo.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "german"}
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no email hashes sent to a third party for avatars
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Every document is a download (attachment), PDFs too: nothing opens inside the site's origin.
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
# One password reset only, the app's (mail limit, lockout); /admin/password_reset/ leads there.
WAGTAIL_PASSWORD_RESET_ENABLED = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Celery ---------------------------------------------------------------------------------
# Without REDIS_URL (the embedded demo) tasks run in-process, so the demo needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
# --- Privacy --------------------------------------------------------------------------------
# Accounts without enrollment and without login for this long are anonymised by a beat task.
ACCOUNT_RETENTION_MONTHS = env.int("DJANGO_ACCOUNT_RETENTION_MONTHS", default=24)
AUDIT_RETENTION_MONTHS = env.int("DJANGO_AUDIT_RETENTION_MONTHS", default=24)

# --- Certificates ---------------------------------------------------------------------------
# Ed25519 signing key: base64 of the 32 raw private-key bytes or a PEM, inline or in a file.
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY", default="")
CERTIFICATE_SIGNING_KEY_FILE = env.path(
    "CERTIFICATE_SIGNING_KEY_FILE", default=VAR_DIR / "certificate-signing-key.pem"
)
# Development creates the key file on first use; production must not silently replace a lost key.
CERTIFICATE_SIGNING_KEY_GENERATE = env.bool("CERTIFICATE_SIGNING_KEY_GENERATE", default=DEBUG)
# Public keys (base64url "x" of the JWK) of earlier signing keys, still published in the JWKS.
CERTIFICATE_RETIRED_PUBLIC_KEYS = env.list("CERTIFICATE_RETIRED_PUBLIC_KEYS", default=[])
# Lookups on the public verification page per client address and minute.
CERTIFICATE_VERIFY_RATE_LIMIT = env.int("CERTIFICATE_VERIFY_RATE_LIMIT", default=30)
# ... and for all clients together (a ceiling that many addresses cannot get around).
CERTIFICATE_VERIFY_GLOBAL_RATE_LIMIT = env.int("CERTIFICATE_VERIFY_GLOBAL_RATE_LIMIT", default=600)
from config.settings_certificates import *  # noqa: E402, F403  (Open Badges 3.0, reminders)
from config.settings_experience import *  # noqa: E402, F403  (fonts of the data download PDF)

CELERY_BEAT_SCHEDULE.update(REMINDER_BEAT_SCHEDULE)  # noqa: F405
# --- Trainer workspace ----------------------------------------------------------------------
# Unit leads (Dienststellenleitung) see no figures of groups smaller than this.
TRAINING_AGGREGATE_MIN_GROUP_SIZE = env.int("TRAINING_AGGREGATE_MIN_GROUP_SIZE", default=5)
# --- Metrics --------------------------------------------------------------------------------
# /metrics answers these client addresses or "Authorization: Bearer <METRICS_TOKEN>"; else 404.
METRICS_ALLOWED_ADDRESSES = env.list("DJANGO_METRICS_ALLOWED_ADDRESSES", default=[])
METRICS_TOKEN = env.str("DJANGO_METRICS_TOKEN", default="")

# --- Logging --------------------------------------------------------------------------------
# JSON lines with the request id (carried into enqueued tasks); text with DJANGO_DEBUG.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("DJANGO_LOG_LEVEL", default="INFO"))
LOGGING["loggers"].update(SSO_LOG_LEVELS)  # noqa: F405 (no SSO assertion in the logs)
