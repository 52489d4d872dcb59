"""Cartable settings: every value comes from an environment variable (see docs/configuration.md).

With no variable set, Cartable runs in its embedded mode: SQLite, in-memory channel layer,
local-memory cache, local disk, database job queue.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from cartable.env import ConfigurationError, env_bool, env_int, env_list, env_size, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CARTABLE_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("CARTABLE_SECRET_KEY")
    if key:
        return key
    # Generated once per data directory so that sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
BASE_URL = env_str("CARTABLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
SECURE = _base.scheme == "https"
DEBUG = env_bool("CARTABLE_DEBUG", False)
ALLOWED_HOSTS = env_list(
    "CARTABLE_ALLOWED_HOSTS", [_base.hostname or "127.0.0.1", "localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    "cartable.core",
    "cartable.accounts",
    "cartable.portal",
    "cartable.pad",
    "cartable.drive",
    "cartable.tube",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cartable.core.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "cartable.core.middleware.ActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cartable.urls"
ASGI_APPLICATION = "cartable.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["cartable.core.templatetags.sizes"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cartable.core.context_processors.platform",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASE_URL = env_str("CARTABLE_DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CARTABLE_DATABASE_CONN_MAX_AGE", 0)
        )
    }
    DATABASE_POOL_MAX = env_int("CARTABLE_DATABASE_POOL_MAX", 10)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_MAX > 0:
        # Under ASGI every request runs in a thread of its own: a connection kept per thread
        # (CONN_MAX_AGE) is one more connection per request in flight, until PostgreSQL
        # refuses them all. A pool per process bounds them; a connection goes back to it at
        # the end of each request or piece of background work (cartable.core.db).
        DATABASE_POOL_MIN = env_int("CARTABLE_DATABASE_POOL_MIN", 2)
        if not 0 <= DATABASE_POOL_MIN <= DATABASE_POOL_MAX:
            raise ConfigurationError(
                "CARTABLE_DATABASE_POOL_MIN must be between 0 and CARTABLE_DATABASE_POOL_MAX"
            )
        if DATABASES["default"]["CONN_MAX_AGE"]:
            raise ConfigurationError(
                "CARTABLE_DATABASE_CONN_MAX_AGE must be 0 with the connection pool"
                " (CARTABLE_DATABASE_POOL_MAX=0 turns the pool off)"
            )
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": DATABASE_POOL_MIN,
            "max_size": DATABASE_POOL_MAX,
            "timeout": env_int("CARTABLE_DATABASE_POOL_TIMEOUT", 10),
        }
        # A pooled connection may have been idle for minutes: check it before handing it
        # out (one empty query), so that a restarted PostgreSQL costs no failed request.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "cartable.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait on the
                # busy timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA mmap_size=134217728;"
                    "PRAGMA cache_size=-20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ----------------------------------------------------
REDIS_URL = env_str("CARTABLE_REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env_str("CARTABLE_REDIS_PREFIX", "cartable"),
            },
        }
    }
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CARTABLE_REDIS_PREFIX", "cartable"),
        }
    }
    # The failed-attempt counters of cartable.core.limits, shared by every server.
    CACHES["limits"] = CACHES["default"]
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # A cache of their own, large: a full local-memory cache drops a third of its keys,
        # and counters must not be dropped because someone filled the cache on purpose.
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "limits",
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        },
    }

# --- Storage ----------------------------------------------------------------------------
S3_BUCKET = env_str("CARTABLE_S3_BUCKET")
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "files"
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("CARTABLE_S3_ENDPOINT_URL") or None,
            "access_key": env_str("CARTABLE_S3_ACCESS_KEY") or None,
            "secret_key": env_str("CARTABLE_S3_SECRET_KEY") or None,
            "region_name": env_str("CARTABLE_S3_REGION") or None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": env_int("CARTABLE_S3_URL_EXPIRY", 300),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
S3_REDIRECT_DOWNLOADS = env_bool("CARTABLE_S3_REDIRECT_DOWNLOADS", True)


def _s3_browser_sources() -> list[str]:
    """Where browsers fetch files from when downloads are redirected to signed S3 URLs."""
    if not (S3_BUCKET and S3_REDIRECT_DOWNLOADS):
        return []
    endpoint = urlsplit(env_str("CARTABLE_S3_ENDPOINT_URL"))
    if not endpoint.hostname:
        region = env_str("CARTABLE_S3_REGION")
        host = f"s3.{region}.amazonaws.com" if region else "s3.amazonaws.com"
        return [f"https://{host}", f"https://*.{host}"]
    origin = f"{endpoint.scheme}://{endpoint.netloc}"
    # Path-style URLs use the endpoint itself; virtual-hosted ones a subdomain of it.
    if any(c.isalpha() for c in endpoint.hostname) and ":" not in endpoint.hostname:
        return [origin, f"{endpoint.scheme}://*.{endpoint.netloc}"]
    return [origin]


S3_BROWSER_SOURCES = _s3_browser_sources()
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve assets straight from the app folders: no collectstatic step for the embedded mode.
SERVESTATIC_USE_FINDERS = True
SERVESTATIC_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Jobs -------------------------------------------------------------------------------
TASKS_EAGER = env_bool("CARTABLE_TASKS_EAGER", False)
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TASKS_EAGER
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
EMBEDDED_WORKER = env_bool("CARTABLE_EMBEDDED_WORKER", True)

# --- Identity ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# allauth's backend behind the limiter decides every password (no other is asked after it);
# the other two are listed only so that sessions they opened before remain valid.
AUTHENTICATION_BACKENDS = [
    "cartable.accounts.backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The academies' domains and their subdomains (a leading dot), and the ministry's: named one
# by one, since a wildcard such as "ac-*.fr" also matches domains anyone may register.
ACADEMY_EMAIL_DOMAINS = [
    f".ac-{name}.fr"
    for name in [
        "aix-marseille",
        "amiens",
        "besancon",
        "bordeaux",
        "caen",
        "clermont",
        "corse",
        "creteil",
        "dijon",
        "grenoble",
        "guadeloupe",
        "guyane",
        "lille",
        "limoges",
        "lyon",
        "martinique",
        "mayotte",
        "montpellier",
        "nancy-metz",
        "nantes",
        "nice",
        "normandie",
        "orleans-tours",
        "paris",
        "poitiers",
        "reims",
        "rennes",
        "reunion",
        "rouen",
        "strasbourg",
        "toulouse",
        "versailles",
    ]
]
STAFF_EMAIL_DOMAINS = env_list(
    "CARTABLE_STAFF_EMAIL_DOMAINS", [*ACADEMY_EMAIL_DOMAINS, "education.gouv.fr"]
)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "portal:home"
ACCOUNT_FORMS = {
    "login": "cartable.accounts.forms.LoginForm",
    # Current passwords and e-mailed codes go through the limiter too (cartable.core.limits).
    "change_password": "cartable.accounts.forms.ChangePasswordForm",
    "confirm_login_code": "cartable.accounts.forms.ConfirmLoginCodeForm",
    "confirm_email_verification_code": "cartable.accounts.forms.ConfirmEmailVerificationCodeForm",
}
ACCOUNT_ADAPTER = "cartable.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "cartable.accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_DISPLAY = "cartable.accounts.models.display_name"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Cartable] "
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# "ip" below is an address block (/24 for IPv4, /64 for IPv6, see AccountAdapter.get_client_ip):
# generous, so that a whole school behind one NAT can sign in at 8 a.m.; "key" is the account
# or address being tried, and is strict.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("CARTABLE_RATE_LOGIN", "600/m/ip"),
    # Failed passwords are counted by cartable.core.limits (SECRET_RATE_LIMITS["password"]),
    # for the admin's sign-in page too: allauth's own count is off.
    "login_failed": "",
    "signup": env_str("CARTABLE_RATE_SIGNUP", "100/m/ip"),
    "request_login_code": env_str("CARTABLE_RATE_LOGIN_CODE", "200/m/ip,3/m/key"),
    "confirm_email": "1/10s/key",
    "reset_password": "100/m/ip,5/m/key",
    "reset_password_from_key": "100/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Failed attempts at a secret, counted by cartable.core.limits (docs/security/limits.md):
# "key" is the account, link or code tried; "ip" the address block. Passwords are the ones
# people choose, so "key" is strict; app passwords, link and login-flow tokens and the pad
# API key are long random strings, so their limits only stop floods.
SECRET_RATE_LIMITS = {
    # Account passwords: allauth's sign-in page, the admin's, reauthentication.
    "password": env_str("CARTABLE_RATE_LOGIN_FAILED", "300/10m/ip,5/5m/key"),
    # App passwords over HTTP Basic: WebDAV, OCS.
    "app_password": env_str("CARTABLE_RATE_APP_PASSWORD_FAILED", "300/10m/ip,20/5m/key"),
    # Passwords of public links.
    "link_password": env_str("CARTABLE_RATE_LINK_PASSWORD_FAILED", "100/10m/ip,5/5m/key"),
    # Codes sent by e-mail (sign-in, address verification).
    "email_code": env_str("CARTABLE_RATE_EMAIL_CODE_FAILED", "100/10m/ip,5/5m/key"),
    # Class codes.
    "join_code": env_str("CARTABLE_RATE_JOIN_CODE_FAILED", "30/10m/ip,10/10m/key"),
    # Unknown login-flow tokens (Nextcloud clients' sign-in) and pad API keys.
    "login_flow": env_str("CARTABLE_RATE_LOGIN_FLOW_FAILED", "60/10m/ip"),
    "api_key": env_str("CARTABLE_RATE_API_KEY_FAILED", "30/10m/ip"),
}
# Our ActivityMiddleware refreshes the session list at most every few minutes; allauth's
# tracking would write to the database on every request.
USERSESSIONS_TRACK_ACTIVITY = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False


# Students signing in through an academy's SSO usually come with no e-mail address: they
# must not be sent to a form asking for one (signing up by e-mail is for staff only).
SOCIALACCOUNT_EMAIL_REQUIRED = False

_OIDC_REQUIRED_KEYS = ("id", "server_url", "client_id")


def oidc_providers_from_json(raw: str) -> list[dict]:
    """The ``CARTABLE_OIDC_PROVIDERS`` list, checked (see docs/configuration.md)."""
    if not raw.strip():
        return []
    try:
        providers = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"CARTABLE_OIDC_PROVIDERS is not valid JSON: {exc}") from None
    if not isinstance(providers, list) or not all(isinstance(p, dict) for p in providers):
        raise ConfigurationError("CARTABLE_OIDC_PROVIDERS must be a JSON list of objects")
    for index, provider in enumerate(providers):
        missing = [key for key in _OIDC_REQUIRED_KEYS if not provider.get(key)]
        if missing:
            raise ConfigurationError(f"CARTABLE_OIDC_PROVIDERS[{index}] lacks {', '.join(missing)}")
    ids = [p["id"] for p in providers]
    if len(set(ids)) != len(ids):
        raise ConfigurationError("CARTABLE_OIDC_PROVIDERS has two providers with the same id")
    return providers


def oidc_socialaccount_providers(providers: list[dict]) -> dict:
    """allauth's ``SOCIALACCOUNT_PROVIDERS`` for our OpenID Connect providers."""
    apps = []
    for p in providers:
        scope = p.get("scope", ["openid", "email", "profile"])
        apps.append(
            {
                "provider_id": p["id"],
                "name": p.get("name", p["id"]),
                "client_id": p["client_id"],
                "secret": p.get("secret", ""),
                "settings": {
                    "server_url": p["server_url"],
                    "token_auth_method": p.get("token_auth_method", "client_secret_basic"),
                    "fetch_userinfo": p.get("fetch_userinfo", True),
                    "oauth_pkce_enabled": p.get("pkce", True),
                    "scope": scope.split() if isinstance(scope, str) else list(scope),
                },
            }
        )
    return {"openid_connect": {"APPS": apps}}


OIDC_PROVIDERS = oidc_providers_from_json(env_str("CARTABLE_OIDC_PROVIDERS"))
SOCIALACCOUNT_PROVIDERS = oidc_socialaccount_providers(OIDC_PROVIDERS)

# --- Sessions and security --------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("CARTABLE_SESSION_DAYS", 14) * 86400
SESSION_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SECURE
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE:
    SECURE_HSTS_SECONDS = env_int("CARTABLE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
TRUSTED_PROXIES = env_list("CARTABLE_TRUSTED_PROXIES", [])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *S3_BROWSER_SOURCES],
        "media-src": ["'self'", "blob:", *S3_BROWSER_SOURCES],
        "font-src": ["'self'"],
        "connect-src": ["'self'", "ws:" if not SECURE else "wss:", *S3_BROWSER_SOURCES],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *[p["server_url"] for p in OIDC_PROVIDERS]],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Languages --------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("CARTABLE_TIME_ZONE", "Europe/Paris")
USE_TZ = True

# --- E-mail -----------------------------------------------------------------------------
_email_backends = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env_str("CARTABLE_EMAIL_BACKEND", "console")
if _email_backend not in _email_backends:
    raise ConfigurationError(f"CARTABLE_EMAIL_BACKEND must be one of {sorted(_email_backends)}")
EMAIL_BACKEND = _email_backends[_email_backend]
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env_str("CARTABLE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CARTABLE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CARTABLE_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("CARTABLE_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("CARTABLE_EMAIL_STARTTLS", False)
EMAIL_USE_SSL = env_bool("CARTABLE_EMAIL_SSL", False)
DEFAULT_FROM_EMAIL = env_str("CARTABLE_EMAIL_FROM", "Cartable <no-reply@cartable.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Platform ---------------------------------------------------------------------------
PLATFORM_NAME = env_str("CARTABLE_PLATFORM_NAME", "Cartable")
ACCOUNT_DELETION_GRACE_DAYS = env_int("CARTABLE_ACCOUNT_DELETION_GRACE_DAYS", 30)
EXPORT_RETENTION_DAYS = env_int("CARTABLE_EXPORT_RETENTION_DAYS", 7)
AUDIT_RETENTION_DAYS = env_int("CARTABLE_AUDIT_RETENTION_DAYS", 365)
NOTIFICATION_RETENTION_DAYS = env_int("CARTABLE_NOTIFICATION_RETENTION_DAYS", 180)
INVITATION_DAYS = env_int("CARTABLE_INVITATION_DAYS", 30)

# --- Pad --------------------------------------------------------------------------------
# The key of the Etherpad-compatible HTTP API; empty: generated once into DATA_DIR.
PAD_API_KEY = env_str("CARTABLE_PAD_API_KEY")
# Sites allowed to show pad pages in a frame (Moodle, Nextcloud), e.g. https://moodle.example.fr
PAD_FRAME_ANCESTORS = env_list("CARTABLE_PAD_FRAME_ANCESTORS", [])

# --- Drive: virus scanning --------------------------------------------------------------
# clamd's socket (a path, or tcp:host:port); empty: uploads are not scanned.
CLAMAV_SOCKET = env_str("CARTABLE_CLAMAV_SOCKET")
CLAMAV_TIMEOUT = env_int("CARTABLE_CLAMAV_TIMEOUT", 60)
# Bytes of each file sent to clamd: keep it at clamd's StreamMaxLength (25M by default).
CLAMAV_STREAM_MAX_LENGTH = env_int("CARTABLE_CLAMAV_STREAM_MAX_LENGTH", 25 * 1024 * 1024)

# --- Converters and parsers of users' files (cartable.core.processes, .isolated) -----------
# The sandbox of LibreOffice, pdftoppm, ffmpeg…: auto (bwrap, else unshare), bwrap or unshare.
# When none can be set up, converters do not run (previews and conversions fail closed).
CONVERTER_SANDBOX = env_str("CARTABLE_CONVERTER_SANDBOX", "auto").strip().lower()
if CONVERTER_SANDBOX not in ("auto", "bwrap", "unshare"):
    raise ConfigurationError("CARTABLE_CONVERTER_SANDBOX must be auto, bwrap or unshare")
# Address space of one converter process (LibreOffice needs about 500 MB to start).
CONVERTER_MEMORY_MB = env_int("CARTABLE_CONVERTER_MEMORY_MB", 2048)
# Address space of the child process that parses a file in Python (text, images, imports).
PARSER_MEMORY_MB = env_int("CARTABLE_PARSER_MEMORY_MB", 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CARTABLE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_tasks": {"level": "WARNING"},
        # The embedded worker starts a batch every second: its start and stop lines are noise.
        "django_tasks_db": {"level": "WARNING"},
    },
}
X_ACCEL_PREFIX = env_str("CARTABLE_X_ACCEL_PREFIX")
PAD_RETENTION_DAYS = env_int("CARTABLE_PAD_RETENTION_DAYS", 365)

# Drive: bytes per personal space and per class or group folder (versions and trash count).
DRIVE_QUOTA = env_size("CARTABLE_DRIVE_QUOTA", 100 * 1000**3)
DRIVE_GROUP_QUOTA = env_size("CARTABLE_DRIVE_GROUP_QUOTA", 100 * 1000**3)
DRIVE_TRASH_DAYS = env_int("CARTABLE_DRIVE_TRASH_DAYS", 30)

# Tube: what a sent video may be (a file over one limit is refused, saying which), and how
# often its processing is tried before the uploader is told it failed.
TUBE_MAX_SIZE = env_size("CARTABLE_TUBE_MAX_SIZE", 8 * 1000**3)
TUBE_MAX_DURATION = env_int("CARTABLE_TUBE_MAX_DURATION", 4 * 3600)  # seconds
TUBE_MAX_HEIGHT = env_int("CARTABLE_TUBE_MAX_HEIGHT", 2160)  # pixels (either side, rotated)
TUBE_ATTEMPTS = env_int("CARTABLE_TUBE_ATTEMPTS", 3)
