"""Settings for every environment, read from environment variables.

Production defaults are safe; development conveniences are switched on by ``DJANGO_DEBUG``.
The test suite differs only by environment values (see the Makefile) and a few fixtures in
``tests/conftest.py``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

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
    "interchange",
    "workspace",
    "accounts",
    "audit",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bsa",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
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
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check calls it over plain HTTP
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
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Celery ---------------------------------------------------------------------------------
# Without REDIS_URL (the embedded demo) tasks run in-process, so the demo needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TIMEZONE = TIME_ZONE
# Longer than the slowest task (a certificate renders in milliseconds; an export in seconds),
# so Redis does not redeliver a message that a live worker is still working on.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup otherwise closes the database connection around every task, and opening
# one costs more than issuing a certificate. Each task still starts with Django's
# close_old_connections() (config/celery.py): CONN_MAX_AGE and health checks apply as in a request.
CELERY_DB_REUSE_MAX = 10_000
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "config.celery.heartbeat", "schedule": 60.0},
    # Re-enqueues completed enrollments without a certificate (and unsent certificate emails),
    # so a lost message only delays a certificate.
    "certificates-reconcile": {"task": "certificates.reconcile", "schedule": 180.0},
    # Import/export files hold personal data: deleted a week after the job.
    "training-purge-workspace-jobs": {
        "task": "training.purge_workspace_jobs",
        "schedule": 60.0 * 60 * 6,
    },
    "xapi-deliver-pending": {"task": "xapi.deliver_pending_statements", "schedule": 300.0},
}
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "accounts.tasks.apply_retention",
    "schedule": crontab(hour=3, minute=17),
}

# --- Privacy --------------------------------------------------------------------------------
# Accounts without enrollment and without login for this long are anonymised by a beat task.
ACCOUNT_RETENTION_MONTHS = env.int("DJANGO_ACCOUNT_RETENTION_MONTHS", default=24)
AUDIT_RETENTION_MONTHS = env.int("DJANGO_AUDIT_RETENTION_MONTHS", default=24)

# --- xAPI (learning records to an LRS; off unless XAPI_LRS_ENDPOINT is set) ------------------
XAPI_LRS_ENDPOINT = env.str("XAPI_LRS_ENDPOINT", default="")  # e.g. https://lrs.example.org/xAPI
XAPI_LRS_KEY = env.str("XAPI_LRS_KEY", default="")
XAPI_LRS_SECRET = env.str("XAPI_LRS_SECRET", default="")
XAPI_VERSION = env.str("XAPI_VERSION", default="1.0.3")  # or 2.0.0
XAPI_ACTIVITY_BASE = env.str("XAPI_ACTIVITY_BASE", default=WAGTAILADMIN_BASE_URL)  # public URL

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

# --- Trainer workspace ----------------------------------------------------------------------
# Unit leads (Dienststellenleitung) see no figures of groups smaller than this.
TRAINING_AGGREGATE_MIN_GROUP_SIZE = env.int("TRAINING_AGGREGATE_MIN_GROUP_SIZE", default=5)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail logs every publish and background task at INFO: noise for seed and tests.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # every login at INFO, with masked credentials
    },
}
