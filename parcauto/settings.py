"""Parcauto settings: one module, typed environment helpers, a working SQLite default.

Every value can be set from the environment; a malformed value fails loudly at start-up.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from parcauto.core.rates import rates_parse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PARCAUTO_VAR_DIR", BASE_DIR / "var"))


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envrates(name: str, default: str, *, per: tuple[str, ...] = ("user", "ip")) -> str:
    """Rates such as `10/15m/user,50/15m/ip` (count/period, per account or client IP)."""
    value = os.environ.get(name, default)
    try:
        rates = rates_parse(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None
    if any(rate.per not in per for rate in rates):
        raise ImproperlyConfigured(f"{name} counts only per {' or '.join(per)}: {value!r}")
    return value


DEBUG = envbool("DJANGO_DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = envstr("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false")

# Portal host names are data (tenants.OrganizationHost); this only guards the Host header.
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ".localhost,localhost,127.0.0.1,testserver")
# Host names that show the list of institutions instead of a portal.
PARCAUTO_ROOT_HOSTS = envlist("PARCAUTO_ROOT_HOSTS", "localhost,127.0.0.1,testserver")
# Demo portals are <slug>.<PARCAUTO_BASE_DOMAIN>, e.g. cem.localhost.
PARCAUTO_BASE_DOMAIN = envstr("PARCAUTO_BASE_DOMAIN", "localhost")
# While DEBUG, links in e-mails point at the dev server's port (`make run`: 8000).
PARCAUTO_DEV_PORT = envint("PARCAUTO_DEV_PORT", 8000)
PARCAUTO_OPERATOR_NAME = envstr("PARCAUTO_OPERATOR_NAME", "Société Parc-Auto du Québec")
# Vehicles per account, and how long a vehicle change takes to reach patrol and cameras.
PARCAUTO_MAX_VEHICLES_PER_ACCOUNT = envint("PARCAUTO_MAX_VEHICLES_PER_ACCOUNT", 2)
PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS = envint("PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS", 24)
if PARCAUTO_MAX_VEHICLES_PER_ACCOUNT < 1 or PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS < 0:
    raise ImproperlyConfigured(
        "PARCAUTO_MAX_VEHICLES_PER_ACCOUNT must be 1 or more and "
        "PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS 0 or more"
    )

INSTALLED_APPS = [
    "parcauto.backoffice.apps.ParcautoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_ratelimit",
    "parcauto.core",
    "parcauto.tenants",
    "parcauto.accounts",
    "parcauto.audit",
    "parcauto.notifications",
    "parcauto.catalog",
    "parcauto.vehicles",
    "parcauto.subscriptions",
    "parcauto.access",
    "parcauto.billing",
    "parcauto.payments",
    "parcauto.sales",
    "parcauto.privacy",
    "parcauto.demo",
    "parcauto.portal",
    "parcauto.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parcauto.tenants.middleware.OrganizationMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parcauto.backoffice.middleware.StaffScopeMiddleware",
    "parcauto.accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "parcauto.accounts.middleware.StaffMfaRequiredMiddleware",
    # Last, so that it sees a view's RateLimited first.
    "parcauto.core.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "parcauto.urls"
FORM_RENDERER = "parcauto.portal.forms_renderer.PortalFormRenderer"
WSGI_APPLICATION = "parcauto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "parcauto" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parcauto.tenants.context_processors.organization",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
# Persistent connections: opening one per request cost 4x the throughput in `make bench`.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker read while the server writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue up (busy timeout) instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too (not the shared in-memory database, whose table locks
    # ignore the busy timeout), so concurrency tests see what production sees.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth rate limits need one shared by every process) ---------------------
REDIS_URL = envstr("REDIS_URL", "")
if REDIS_URL:
    # Sessions read from Redis, written through to the database (kept across restarts).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CACHES = {"default": {"BACKEND": "parcauto.core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "parcauto_cache",
        }
    }

# --- Tasks ----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Periodic jobs: dotted path of a task -> interval in seconds. `manage.py run_scheduler`
# enqueues each one when due (its last enqueue time is kept in the database).
PARCAUTO_PERIODIC_TASKS = {
    "parcauto.subscriptions.tasks.activate_due_subscriptions": 3600,
    "parcauto.subscriptions.tasks.expire_waitlist_offers": 300,
    "parcauto.billing.tasks.run_billing": 86400,
    "parcauto.privacy.tasks.run_retention": 86400,
}

# --- Privacy (Law 25) ------------------------------------------------------------------
# How long a "Mes données" download stays available (its e-mailed link, then the file).
PARCAUTO_DATA_EXPORT_DAYS = envint("PARCAUTO_DATA_EXPORT_DAYS", 7)
# The retention job: unfinished requests and never-validated accounts are deleted after
# these many days (proofs and cheque specimens: per institution, privacy.PrivacySettings).
PARCAUTO_DRAFT_RETENTION_DAYS = envint("PARCAUTO_DRAFT_RETENTION_DAYS", 90)
PARCAUTO_UNVERIFIED_ACCOUNT_DAYS = envint("PARCAUTO_UNVERIFIED_ACCOUNT_DAYS", 30)
if (
    min(PARCAUTO_DATA_EXPORT_DAYS, PARCAUTO_DRAFT_RETENTION_DAYS, PARCAUTO_UNVERIFIED_ACCOUNT_DAYS)
    < 1
):
    raise ImproperlyConfigured(
        "PARCAUTO_DATA_EXPORT_DAYS, PARCAUTO_DRAFT_RETENTION_DAYS and "
        "PARCAUTO_UNVERIFIED_ACCOUNT_DAYS must be 1 or more"
    )

# --- Payments --------------------------------------------------------------------------
# The card gateway: a dotted path to a factory (parcauto/payments/gateways/). The sandbox
# is the default; production sets PAYMENTS_GATEWAY to the Moneris factory and MONERIS_*.
PAYMENTS_GATEWAY = envstr(
    "PAYMENTS_GATEWAY", "parcauto.payments.gateways.sandbox.SandboxGateway.from_settings"
)
# Moneris (PAYMENTS_GATEWAY=parcauto.payments.gateways.moneris.MonerisGateway.from_settings):
# esqa.moneris.com is Moneris' test host, www3.moneris.com production. The HT profile id
# comes from the Merchant Resource Centre, where the portal hosts are its source domains.
MONERIS_STORE_ID = envstr("MONERIS_STORE_ID", "")
MONERIS_API_TOKEN = envstr("MONERIS_API_TOKEN", "")
MONERIS_HOST = envstr("MONERIS_HOST", "esqa.moneris.com")
MONERIS_HT_PROFILE_ID = envstr("MONERIS_HT_PROFILE_ID", "")
MONERIS_TIMEOUT_SECONDS = envint("MONERIS_TIMEOUT_SECONDS", 35)
MONERIS_CONCURRENCY = envint("MONERIS_CONCURRENCY", 4)  # charges in flight in a billing run
# Bank account numbers are encrypted at rest (payments.crypto): comma-separated Fernet
# keys, newest first; the older ones still decrypt, for rotation. While DEBUG a key derived
# from SECRET_KEY stands in; without DEBUG nothing is derived and the first use fails.
PAYMENTS_ENCRYPTION_KEYS = envlist("PAYMENTS_ENCRYPTION_KEYS", "") or (
    [base64.urlsafe_b64encode(hashlib.sha256(f"pad:{SECRET_KEY}".encode()).digest()).decode()]
    if DEBUG
    else []
)

# --- E-mail (Django 6.1 MAILERS) --------------------------------------------------------
MAIL_DIR = VAR_DIR / "mail"
EMAIL_URL = envstr("EMAIL_URL", "")
if EMAIL_URL:
    _smtp = dj_database_url.parse(EMAIL_URL.replace("smtp://", "postgres://", 1))
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp["HOST"],
                "port": _smtp["PORT"] or 587,
                "username": _smtp["USER"],
                "password": _smtp["PASSWORD"],
                "use_tls": True,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "parcauto.notifications.mailer.MailDirBackend",
            "OPTIONS": {"directory": str(MAIL_DIR)},
        }
    }
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Parcauto <no-reply@parcauto.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, loading the profile and staff status with the user.
AUTHENTICATION_BACKENDS = [
    "parcauto.accounts.backends.ModelBackend",
    "parcauto.accounts.backends.AuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_ADAPTER = "parcauto.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "parcauto.accounts.forms.LoginForm",
    "signup": "parcauto.accounts.forms.SignupForm",
    "reset_password": "parcauto.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "parcauto.accounts.forms.ResetPasswordKeyForm",
    "add_email": "parcauto.accounts.forms.AddEmailForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = False  # the guides tell people when an e-mail is unknown
ACCOUNT_UNIQUE_EMAIL = True
# One address per account. A change adds the new address unverified; it replaces the old
# one only when its link is used by the account that asked (accounts.verification), and
# the old address is told (EMAIL_NOTIFICATIONS, narrowed by the adapter to our notices).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    # An hourly cap too: every new account brings its own per-account budgets below.
    "signup": envrates("PARCAUTO_RATE_LIMIT_SIGNUP", "20/m/ip,200/h/ip", per=("ip",)),
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""

# --- Rate limits of our own (core.ratelimit): action -> count/period per account or IP ---
# Each can be set from the environment, e.g. PARCAUTO_RATE_LIMIT_ACCESS_CODE="5/h/user,20/h/ip".
# Per IP is a backstop against many accounts from one place: a campus behind one address
# must still get through on opening day, so it is set high.
PARCAUTO_RATE_LIMITS = {
    # Wrong access codes only (a code that opens a hidden permit is not counted).
    "access_code": envrates("PARCAUTO_RATE_LIMIT_ACCESS_CODE", "10/15m/user,50/15m/ip"),
    # Card numbers typed into the sandbox gateway's iframe (Moneris limits its own).
    "card_token": envrates("PARCAUTO_RATE_LIMIT_CARD_TOKEN", "10/h/user,50/h/ip"),
    # "Mettre à jour la carte de crédit": each one is verified with the gateway.
    "card_update": envrates("PARCAUTO_RATE_LIMIT_CARD_UPDATE", "5/h/user,50/h/ip"),
    # The payment step's "Soumettre" / "Ajouter" (a card is verified after it).
    "payment_submit": envrates("PARCAUTO_RATE_LIMIT_PAYMENT_SUBMIT", "10/h/user,500/10m/ip"),
}
# django-ratelimit's checks know memcached and django-redis only. W001 flags Django's own
# Redis cache (production: REDIS_URL), whose increment is atomic; E003 flags the database
# cache used without REDIS_URL (development), whose increment is a read then a write, so
# two attempts at the same instant may count once there. Production sets REDIS_URL.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Parcauto"

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "parcauto" / "locale"]
LANGUAGE_COOKIE_NAME = "parcauto_language"
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "parcauto" / "static"]
MEDIA_ROOT = VAR_DIR / "media"  # private: never served by the web server
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security ---------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    # The card iframe: the sandbox's page (ours) or Moneris' hosted tokenization.
    "frame-src": [CSP.SELF, f"https://{MONERIS_HOST}"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default config gives "django" its own console handler in debug: one
        # line per record is enough, the root's.
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
