"""Lode settings: one module, everything that differs between machines comes from the environment.

Every variable is documented in README.md and listed in .env.example.
"""

import os
import re
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def load_dotenv(path: Path) -> None:
    """Read KEY=value lines from a local .env (made by `make`); real environment variables win."""
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


load_dotenv(Path(os.environ.get("LODE_DOTENV", BASE_DIR / ".env")))

TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "lode-insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DEBUG=true for local development."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal",
    "ideas",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.StripNulFromQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireMfaMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "portal.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.lode",
            ],
        },
    },
]

# Database: DATABASE_URL when set, otherwise the embedded PostgreSQL under .pgdata/.
if env_str("DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL"), conn_max_age=60)}
else:
    from portal import embedded_db

    DATABASES = {"default": embedded_db.ensure_running()}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# One slow query or a long-held lock must not stall every web worker. Web processes (WSGI,
# ASGI, runserver, tests) get timeouts; management commands (migrations, bulk loads, the
# worker) keep PostgreSQL's defaults unless these are set for them too.
WEB_PROCESS = env_bool("LODE_WEB_PROCESS", False) or TESTING or "runserver" in sys.argv[1:2]
if WEB_PROCESS:
    _timeouts = {
        "statement_timeout": env_int("LODE_DB_STATEMENT_TIMEOUT_MS", 15_000),
        "lock_timeout": env_int("LODE_DB_LOCK_TIMEOUT_MS", 5_000),
    }
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
        f"-c {name}={value}" for name, value in _timeouts.items() if value
    )
DATABASES["default"]["TEST"] = {"NAME": env_str("LODE_TEST_DATABASE", "test_lode")}
# Optional read replica for insights only (portal/routers.py, docs/scaling.md).
if env_str("DATABASE_REPLICA_URL"):
    import dj_database_url

    DATABASES["replica"] = {
        **dj_database_url.parse(env_str("DATABASE_REPLICA_URL"), conn_max_age=60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["portal.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache every app server shares (allauth's log-in rate limits count in it), in PostgreSQL
# so that Lode still needs no other service. `manage.py createcachetable` makes the table.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "lode_cache",
        # Room for the anonymous pages (ideas/cache.py) beside allauth's counters, which a
        # cull must not throw away.
        "OPTIONS": {"MAX_ENTRIES": env_int("LODE_CACHE_MAX_ENTRIES", 5000)},
    }
}
if env_str("REDIS_URL"):
    # A shared Redis instead (needs the `redis` package: pip install 'lode[redis]'); see
    # docs/scaling.md. Never a per-process cache: every app server must see the same counters.
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL"),
    }
# What anonymous visitors read most (the forum's first pages, the roadmap) is served from the
# cache; changes show at once, and at worst after this many seconds (0 turns it off).
LODE_ANON_CACHE_SECONDS = env_int("LODE_ANON_CACHE_SECONDS", 60)

# The board's evidence (ideas/evidence.py): "auto" ranks by the live view below this many
# ideas and by the worker-refreshed snapshot above it; "evidence" or "evidence_snapshot"
# forces one. The snapshot is refreshed when older than the max age (seconds).
LODE_BOARD_EVIDENCE = env_str("LODE_BOARD_EVIDENCE", "auto")
LODE_BOARD_SNAPSHOT_MIN_IDEAS = env_int("LODE_BOARD_SNAPSHOT_MIN_IDEAS", 20_000)
LODE_BOARD_SNAPSHOT_MAX_AGE = env_int("LODE_BOARD_SNAPSHOT_MAX_AGE", 300)

AUTH_USER_MODEL = "portal.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing dominates test time otherwise; production keeps the default hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "ideas:list"
LOGOUT_REDIRECT_URL = "ideas:list"

# Accounts (django-allauth): people log in with a verified email address and a password.
AUTHENTICATION_BACKENDS = [
    "portal.backends.LodeModelBackend",  # The Django admin's log-in.
    "portal.backends.LodeAllauthBackend",
]
ACCOUNT_ADAPTER = "portal.allauth.AccountAdapter"
ACCOUNT_FORMS = {
    "add_email": "portal.forms.AddEmailForm",
    "login": "portal.forms.LoginForm",
    "reset_password": "portal.forms.ResetPasswordForm",
    "signup": "portal.forms.SignupForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Customers join their company's Account by email domain, so the address must be proven.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Sign-up and password reset answer the same whether or not an address is registered.
ACCOUNT_PREVENT_ENUMERATION = True
# A reset request for an unknown address sends nothing, so Lode never mails strangers.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Logging out takes a POST; a GET only shows the "Log out?" page.
ACCOUNT_LOGOUT_ON_GET = False
# Log-in brute force: failed attempts are counted per client IP and per account (the email),
# in the shared cache below; over the limit allauth answers 429, even to the right password.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("LODE_LIMIT_LOGIN_IP", "30/m/ip"),
    "login_failed": env_str("LODE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
}
# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) plus recovery codes.
# PMs and admins must set one up before anything else once LODE_MFA_REQUIRED is on (the
# default in production; off under DEBUG so seeded demo PMs can log straight in).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("LODE_SITE_NAME", "Lode")
LODE_MFA_REQUIRED = env_bool("LODE_MFA_REQUIRED", not DEBUG and not TESTING)
LODE_MFA_REQUIRED_ROLES = {"pm", "admin"}
if env_bool("BEHIND_PROXY", False):
    # Otherwise every visitor shares the proxy's address and one IP's rate limits.
    ALLAUTH_TRUSTED_PROXY_COUNT = 1

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "portal.storage.StaticFilesStorage"
        )
    },
}

# Background work (Django's Tasks API): jobs are rows in PostgreSQL, run by
# `manage.py db_worker`; more workers on more machines scale it out.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Email (Django 6.1 mailers): console in development, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Lode <lode@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "use_tls": env_bool("EMAIL_USE_TLS", not env_bool("EMAIL_USE_SSL", False)),
                "timeout": env_int("EMAIL_TIMEOUT", 20),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security: strict by default, relaxed only where DEBUG needs plain HTTP.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Production answers HTTPS only; development and tests stay on plain HTTP. A proxy that
# already redirects may set SECURE_SSL_REDIRECT=false.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
# Health probes (the container's HEALTHCHECK, a load balancer) speak plain HTTP to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Browsers only honour HSTS over HTTPS, so a production default costs development nothing.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Deliberate choices `check --deploy` would warn about: preloading HSTS is a commitment an
# operator opts into, and subdomains may be left out when some still serve plain HTTP.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
]
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from django.utils.csp import CSP  # noqa: E402

# No 'unsafe-inline' anywhere: everything the pages run is a static file, and the rare inline
# <script> must carry nonce="{{ csp_nonce }}" (a fresh nonce per response).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Lode's own settings.
LODE_CURRENCY = env_str("LODE_CURRENCY", "USD").upper()
if len(LODE_CURRENCY) != 3 or not LODE_CURRENCY.isalpha():
    raise ImproperlyConfigured(
        f"LODE_CURRENCY must be a three-letter ISO 4217 code, not {LODE_CURRENCY!r}."
    )
LODE_SITE_NAME = env_str("LODE_SITE_NAME", "Lode")
# Where people reach this Lode: the links in emails and feeds start with it.
LODE_BASE_URL = env_str("LODE_BASE_URL", "http://127.0.0.1:8000")
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# Where vulnerability reports go (docs/security.md).
LODE_SECURITY_CONTACT = env_str("LODE_SECURITY_CONTACT", "security@example.com")
# Webhooks may call private, loopback and link-local addresses only when this is on (SSRF).
LODE_WEBHOOKS_ALLOW_PRIVATE = env_bool("LODE_WEBHOOKS_ALLOW_PRIVATE", False)

# Abuse limits, per user and per client IP: "count/period" with period s, m, h or d.
LODE_RATE_LIMITS = {
    "idea": env_str("LODE_LIMIT_IDEAS", "10/h"),
    "idea_ip": env_str("LODE_LIMIT_IDEAS_IP", "30/h"),
    "comment": env_str("LODE_LIMIT_COMMENTS", "30/h"),
    "comment_ip": env_str("LODE_LIMIT_COMMENTS_IP", "90/h"),
    "vote": env_str("LODE_LIMIT_VOTES", "60/m"),
    "vote_ip": env_str("LODE_LIMIT_VOTES_IP", "300/m"),
    "similar_ip": env_str("LODE_LIMIT_SIMILAR_IP", "120/m"),
    "api": env_str("LODE_LIMIT_API", "600/m"),
    "api_ip": env_str("LODE_LIMIT_API_IP", "1200/m"),
}
for _action, _rate in LODE_RATE_LIMITS.items():
    if not re.fullmatch(r"\d+/\d*[smhd]", _rate):
        raise ImproperlyConfigured(
            f"Rate limit for {_action} must look like 10/h or 60/m, not {_rate!r}."
        )

# REST API (ideas/api/, documented in docs/api.md) ---------------------------------------
# Token or session authentication; permissions are set per view from ideas/permissions.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a request without credentials then gets 401 with WWW-Authenticate.
        "ideas.api.base.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "ideas.api.base.Pagination",
    "PAGE_SIZE": 25,
    # The same PostgreSQL counters as the pages (LODE_RATE_LIMITS "api" and "api_ip").
    "DEFAULT_THROTTLE_CLASSES": ["ideas.api.base.LodeRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["ideas.api.base.JSONParser"],
    "DEFAULT_METADATA_CLASS": "ideas.api.base.Metadata",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ideas.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lode API",
    "DESCRIPTION": (
        "Ideas, votes, comments, signals and accounts, with the same rules as Lode's pages. "
        "Authenticate with `Authorization: Token <key>` (make one at /account/api-token/) "
        "or a browser session. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from drf-spectacular-sidecar, served as our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge image from a third-party validator: the CSP allows our own origin only.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ideas.api.views.viewer_any_of",
    ],
    "ENUM_NAME_OVERRIDES": {
        "IdeaSourceEnum": "ideas.choices.IdeaSource",
        "SignalSourceEnum": "ideas.choices.Source",
        "IdeaStatusEnum": "ideas.choices.Status",
        "LifecycleEnum": "ideas.choices.Lifecycle",
        "DealStageEnum": "ideas.choices.DealStage",
        "SegmentEnum": "ideas.choices.Segment",
        "RegionEnum": "ideas.choices.Region",
    },
}

# One line per record on stdout, each with the request id (also sent as X-Request-ID).
# Django's default config mails 500s to ADMINS and, with DEBUG off, logs them nowhere else;
# here `django.request` errors reach stdout with their traceback (escaped onto one line).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "portal.logging.OneLineFormatter",
            "format": "%(asctime)s level=%(levelname)s logger=%(name)s "
            "request_id=%(request_id)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # Replaces Django's own handlers (console only under DEBUG, mail to ADMINS): every
        # django.* record, 500s included, propagates to the one console handler above.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "lode.security": {"level": "INFO"},
    },
}
# LOG_FORMAT=json: the same records as one JSON object per line (docs/deploy.md).
LOGGING["formatters"]["json"] = {"()": "portal.logging.JsonFormatter"}
if env_str("LOG_FORMAT", "line").lower() == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"
