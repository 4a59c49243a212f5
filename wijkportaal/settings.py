"""Settings for Wijkportaal, read from the environment (and an optional `.env` file) by django-environ.

Every variable is listed with a one-line explanation in `.env.example`.
"""

import importlib.util
import re
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _strict_bool(name: str, *, default: bool) -> bool:
    """Parse a boolean variable and fail loudly on anything but a clear yes or no."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def _int(name: str, *, default: int) -> int:
    """Parse a whole number; an empty value (as in a copied .env.example) means the default."""
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


DEBUG = _strict_bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set it in the environment or in .env "
            "(see .env.example)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS. On by default; a TLS-terminating proxy that already redirects may switch the redirect off.
SECURE_SSL_REDIRECT = _strict_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A header the proxy sets to say the original request was HTTPS, e.g. "X-Forwarded-Proto: https".
# Only set it behind a proxy that always overwrites that header, or a client could fake HTTPS.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="").strip()
if _proxy_ssl_header:
    _name, _sep, _value = _proxy_ssl_header.partition(":")
    if not _sep or not _name.strip() or not _value.strip():
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={_proxy_ssl_header!r} must look like 'X-Forwarded-Proto: https'."
        )
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _name.strip().upper().replace("-", "_"),
        _value.strip(),
    )
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 63_072_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _strict_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = _strict_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
# Every form carries its token in a hidden field and no page has JavaScript, so scripts never need it.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "wijkportaal.views.csrf_failure"
SILENCED_SYSTEM_CHECKS: list[str] = []
if not SECURE_SSL_REDIRECT and not DEBUG:
    # The deployment said the proxy redirects to HTTPS; Django's own redirect would be redundant.
    SILENCED_SYSTEM_CHECKS.append("security.W008")

INSTALLED_APPS = [
    # django.contrib.admin, with a site that asks staff for a second factor (accounts/sites.py).
    "accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "wijkportaal",
    "neighbourhoods",
    "officers",
    "guidance",
    "alerts",
    "api",
    "accounts",
]

MIDDLEWARE = [
    "wijkportaal.middleware.RequestIdMiddleware",
    "wijkportaal.middleware.SecurityHeadersMiddleware",
    "wijkportaal.limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files never wait for, or on, the database.
    "wijkportaal.deadlines.DatabaseDeadlineMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wijkportaal.language.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks a session verified by a second factor; the admin requires it (accounts/sites.py).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wijkportaal.middleware.DatabaseUnavailableMiddleware",
]

# The benchmark swaps in a urlconf with a bare "hello" view; production never sets this.
ROOT_URLCONF = env.str("ROOT_URLCONF", default="wijkportaal.urls")
WSGI_APPLICATION = "wijkportaal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wijkportaal.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an import writes (NORMAL sync is crash-safe with WAL and spares
    # an fsync per commit); a busy timeout instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    # Connections are kept between requests, so a request does not wait for a new one.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A kept connection that died (the database restarted) is replaced before a request uses it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=2)}
    )
    # Prepared statements (psycopg prepares one that ran five times on a connection), because
    # planning the search's join anew costs PostgreSQL more than running it; off behind a pooler
    # that cannot keep them (PgBouncer in transaction mode before 1.21).
    if _strict_bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
    # A slow database must not hold a worker: gunicorn.conf.py sets 1500 ms for web workers, while
    # management commands (imports) keep the default of no limit.
    _statement_timeout_ms = _int("DATABASE_STATEMENT_TIMEOUT", default=0)
    if _statement_timeout_ms > 0:
        DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={_statement_timeout_ms}"

# A streaming read replica of the primary (docs/scale-out.md): public reads go to it once it has
# replayed every staff save (wijkportaal/replicas.py); writes, staff and the admin use the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name the same kind of database.")
    DATABASES["replica"] = {
        **DATABASES["default"],
        **_replica,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests read through the primary's connection: a test database has no replica.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["wijkportaal.routers.ReplicaRouter"]
    MIDDLEWARE.append("wijkportaal.replicas.ReplicaMiddleware")

for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, failing new connections at once while the server is known to hang
        # (wijkportaal/deadlines.py).
        _database["ENGINE"] = "wijkportaal.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Rate-limit and sign-in counts (wijkportaal/counters.py): a table in the database by default, where
# nothing evicts them; or a Redis of their own, which must run with maxmemory-policy noeviction.
# Never the page cache's Redis when that one may evict (a system check warns).
COUNTERS_REDIS_URL = env.str("COUNTERS_REDIS_URL", default="")
# A hung Redis must fail fast; wijkportaal/cache.py then serves the page uncached.
_REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CACHES = {
    "default": (
        {
            "BACKEND": "wijkportaal.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "wijkportaal",
            "OPTIONS": _REDIS_OPTIONS,
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "wijkportaal",
        }
    ),
}

# Lookups (address and point) one client address may make a minute through the JSON API; 0 = no limit.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=60)
# Searches (the posted home page forms) one client address may make a minute; 0 = no limit.
SEARCH_RATE_LIMIT_PER_MINUTE = _int("SEARCH_RATE_LIMIT_PER_MINUTE", default=20)
# Request bodies above these sizes answer 413 before they are read (wijkportaal/limits.py): public
# forms post a few hundred bytes; the admin takes a 5 MB photo.
PUBLIC_BODY_MAX_BYTES = _int("PUBLIC_BODY_MAX_BYTES", default=16_384)
ADMIN_BODY_MAX_BYTES = _int("ADMIN_BODY_MAX_BYTES", default=6 * 1024 * 1024)
# A request still waiting on the database after this long has its connection cut and gets the
# 503 page (wijkportaal/deadlines.py): a hung database must not hold residents or workers.
REQUEST_DEADLINE_SECONDS = env.float("REQUEST_DEADLINE_SECONDS", default=1.5)
ADMIN_REQUEST_DEADLINE_SECONDS = env.float("ADMIN_REQUEST_DEADLINE_SECONDS", default=25.0)

# Seconds a public officer or buurt page is served from the cache. A staff save invalidates the
# cached pages that show what it changed at once (wijkportaal/cache.py), so this only bounds how long
# date-driven changes (an assignment that starts today) take to show. Without Redis each gunicorn
# worker would hold its own copy that a save in another worker cannot invalidate, so the page cache
# is off by default then.
PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", default=300 if REDIS_URL else 0)

AUTHENTICATION_BACKENDS = ["wijkportaal.auth.ThrottledModelBackend"]
# Staff sign-in attempts allowed per account name and client address in LOGIN_PAUSE_SECONDS; then
# that address pauses for that name until the window is over (wijkportaal/auth.py).
LOGIN_FAILURES_ALLOWED = _int("LOGIN_FAILURES_ALLOWED", default=5)
LOGIN_PAUSE_SECONDS = _int("LOGIN_PAUSE_SECONDS", default=900)
# Attempts an hour on one account name from addresses it has not signed in from lately.
LOGIN_ACCOUNT_ATTEMPTS_PER_HOUR = _int("LOGIN_ACCOUNT_ATTEMPTS_PER_HOUR", default=30)
LOGIN_TRUSTED_DAYS = _int("LOGIN_TRUSTED_DAYS", default=30)
# /.well-known/security.txt (RFC 9116): contact URIs (mailto:, https:) and the date the file
# stops being valid (at most a year ahead). Both are needed; a deploy check says when one is missing.
SECURITY_CONTACTS = env.list("SECURITY_CONTACTS", default=[])
SECURITY_TXT_EXPIRES = env.str("SECURITY_TXT_EXPIRES", default="")
# Number of proxies in front of gunicorn that append to X-Forwarded-For (0: use the peer address).
NUM_PROXIES = _int("NUM_PROXIES", default=0)
# Image sources beside our own origin, e.g. the object storage that holds officer photos.
CSP_EXTRA_IMG_SRC = env.list("CSP_EXTRA_IMG_SRC", default=[])

# The name authenticator apps show beside a staff account's codes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Wijkportaal")
# django-otp's device admin pages are not registered (accounts/admin.py); keys stay unseen anyway.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Officer photos in S3-compatible object storage through django-storages, when a bucket is named:
# then no web node keeps a file another needs. Credentials come from the usual AWS_* variables.
MEDIA_BUCKET = env.str("MEDIA_BUCKET", default="")
if MEDIA_BUCKET:
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "MEDIA_BUCKET is set but django-storages is not installed: "
            "pip install 'django-storages[s3]>=1.14,<2', or leave MEDIA_BUCKET empty."
        )
    _media_domain = env.str("MEDIA_CUSTOM_DOMAIN", default="")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": env.str("MEDIA_ENDPOINT_URL", default="") or None,
            "custom_domain": _media_domain or None,
            # Photos are public pages' images: plain URLs, no signed query strings to expire.
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
    # The browser loads photos from the storage's host, so the CSP must allow it.
    _media_origin = _media_domain or env.str("MEDIA_ENDPOINT_URL", default="")
    if _media_origin:
        CSP_EXTRA_IMG_SRC = [*CSP_EXTRA_IMG_SRC, _media_origin]

# The site's public address (scheme and host, no path), for absolute links printed on paper such as
# the QR code of a buurt card: the host a member of staff prints from need not be the public one.
# Empty: the host of the request (`manage.py check --deploy` warns).
SITE_URL = env.str("SITE_URL", default="").strip().rstrip("/")
if SITE_URL and not re.fullmatch(r"https?://[^/\s?#]+", SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} must be a scheme and host only, e.g. https://wijkagent.example.nl"
    )

ADMIN_PATH = env.str("ADMIN_PATH", default="beheer/").strip("/") + "/"

# Outgoing e-mail (the alerts' confirmations and digests): one SMTP server as a URL in
# django-environ's form, e.g. smtp+tls://user:password@mail.example.nl:587. Without it every
# message is printed on the console, which suits development only (a deploy check warns).
EMAIL_URL = env.str("EMAIL_URL", default="").strip()
_email = env.email_url_config(EMAIL_URL or "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
# A mail server that does not answer must not hold a resident's request (the confirmation is
# sent while they wait) or the digest run for long.
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = (
    env.str("DEFAULT_FROM_EMAIL", default="").strip() or "Wijkportaal <wijkportaal@localhost>"
)

# Where the Heerlen demo and the tests find the shared open data; the demo itself ships in fixtures/.
SHARED_DATA_DIR = env.path("SHARED_DATA_DIR", default=BASE_DIR.parent / "shared" / "data")

# JSON lines on stdout; every line written during a request carries its request id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "wijkportaal.logs.RequestIdFilter"},
        "no_query_string": {"()": "wijkportaal.logs.DropQueryStringFilter"},
    },
    "formatters": {
        "json": {"()": "wijkportaal.logs.JsonFormatter"},
        "dev_server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        },
        "dev_server": {
            "class": "logging.StreamHandler",
            "formatter": "dev_server",
            "filters": ["no_query_string"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django logs the path (never the query string) of failed requests; the lookup form is
        # posted, so no address is ever in a path.
        "django.request": {"level": "ERROR"},
        # `manage.py runserver` logs each request line; API lookups hold an address in theirs.
        "django.server": {"handlers": ["dev_server"], "level": "INFO", "propagate": False},
    },
}
