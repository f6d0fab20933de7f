"""Parcauto settings: one module, typed environment helpers, a working SQLite default.

Every value can be set from the environment; a malformed value fails loudly at start-up.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from parcauto.core.mail_url import mailers_from_url
from parcauto.core.rates import rates_parse
from parcauto.core.sentry import sentry_init

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


# Production unless told otherwise: development is what `make run`, `make test` and the
# test settings (tests/settings.py) ask for with DJANGO_DEBUG=true.
DEBUG = envbool("DJANGO_DEBUG", False)
_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = envstr("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false (the default); "
        "for development, set DJANGO_DEBUG=true (make run and make test do)"
    )

# Portal host names are data (tenants.OrganizationHost); this only guards the Host header.
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ".localhost,localhost,127.0.0.1,testserver")
# Host names that show the list of institutions instead of a portal.
PARCAUTO_ROOT_HOSTS = envlist("PARCAUTO_ROOT_HOSTS", "localhost,127.0.0.1,testserver")
# Demo portals are <slug>.<PARCAUTO_BASE_DOMAIN>, e.g. cem.localhost.
PARCAUTO_BASE_DOMAIN = envstr("PARCAUTO_BASE_DOMAIN", "localhost")
# While DEBUG, links in e-mails point at the dev server's port (`make run`: 8000).
PARCAUTO_DEV_PORT = envint("PARCAUTO_DEV_PORT", 8000)
PARCAUTO_OPERATOR_NAME = envstr("PARCAUTO_OPERATOR_NAME", "Société Parc-Auto du Québec")
# As the guides write it: "Votre carte d'accès virtuelle SPAQ".
PARCAUTO_OPERATOR_SHORT_NAME = envstr("PARCAUTO_OPERATOR_SHORT_NAME", "SPAQ")
# Vehicles per account, and how long a vehicle change takes to reach patrol and cameras.
PARCAUTO_MAX_VEHICLES_PER_ACCOUNT = envint("PARCAUTO_MAX_VEHICLES_PER_ACCOUNT", 2)
PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS = envint("PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS", 24)
if PARCAUTO_MAX_VEHICLES_PER_ACCOUNT < 1 or PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS < 0:
    raise ImproperlyConfigured(
        "PARCAUTO_MAX_VEHICLES_PER_ACCOUNT must be 1 or more and "
        "PARCAUTO_VEHICLE_ACTIVATION_DELAY_HOURS 0 or more"
    )

# Gates: a device whose clock is further than this from the server's is refused (seconds).
PARCAUTO_ACCESS_MAX_CLOCK_SKEW_SECONDS = envint("PARCAUTO_ACCESS_MAX_CLOCK_SKEW_SECONDS", 300)

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
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "parcauto.core",
    "parcauto.tenants",
    "parcauto.accounts",
    "parcauto.audit",
    "parcauto.notifications",
    "parcauto.catalog",
    "parcauto.vehicles",
    "parcauto.subscriptions",
    "parcauto.access",
    "parcauto.wallets",
    "parcauto.billing",
    "parcauto.payments",
    "parcauto.sales",
    "parcauto.enforcement",
    "parcauto.servicedesk",
    "parcauto.privacy",
    "parcauto.demo",
    "parcauto.portal",
    "parcauto.backoffice",
    "parcauto.api",
]

MIDDLEWARE = [
    # First: its request id and its timing cover every other one (core.request_log).
    "parcauto.core.request_log.RequestLogMiddleware",
    # Next: devices' key-authenticated requests take their own chain, below.
    "parcauto.api.middleware.DeviceApiMiddleware",
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
    "parcauto.accounts.middleware.ForgetOnLogoutMiddleware",
    # Last, so that it sees a view's RateLimited first.
    "parcauto.core.ratelimit.RateLimitMiddleware",
]

# The device API's chain (parcauto.api.middleware): HTTPS and the host check, as for
# pages; no session, portal, CSRF nor account, none of which a device's key uses.
DEVICE_API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
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
# Periodic jobs: dotted path of a task -> cron expression in America/Toronto (minute hour
# day-of-month month day-of-week). `manage.py run_scheduler` enqueues each one at its times
# (parcauto.core.scheduler: clock changes, missed runs, several nodes).
PARCAUTO_PERIODIC_TASKS = {
    # Approved contracts whose start date has come: just after midnight.
    "parcauto.subscriptions.tasks.activate_due_subscriptions": "5 0 * * *",
    # The billing run (invoices, charges, PAD and payroll files), after the activations.
    "parcauto.billing.tasks.run_billing": envstr("BILLING_SCHEDULE", "0 2 * * *"),
    # Finished task results older than TASK_RESULTS_KEEP_DAYS: at night.
    "parcauto.core.housekeeping.prune_task_results": "30 3 * * *",
    # Waiting-list offers past their deadline pass to the next person.
    "parcauto.subscriptions.tasks.expire_waitlist_offers": "*/5 * * * *",
    # The outbox: e-mails refused earlier, or left SENDING by a worker that died.
    "parcauto.notifications.tasks.retry_emails": "* * * * *",
    # Contracts whose last day has passed end: just after the activations.
    "parcauto.subscriptions.tasks.end_due_subscriptions": "10 0 * * *",
    # Contracts whose cancellation date has passed end (ENDING -> ENDED, final account).
    "parcauto.servicedesk.tasks.end_contracts_due": "15 0 * * *",
    # Claim notices unpaid past their collection date are sent to collection.
    "parcauto.enforcement.tasks.send_notices_to_collection": "20 0 * * *",
    # Notice payments whose answer was lost: the gateway asked what became of them.
    "parcauto.enforcement.tasks.settle_lost_notice_payments": "*/10 * * * *",
    # Law 25 retention: proofs, drafts, unverified accounts, expired downloads: at night.
    "parcauto.privacy.tasks.run_retention": "15 4 * * *",
}
PARCAUTO_TASK_RESULTS_KEEP_DAYS = envint("TASK_RESULTS_KEEP_DAYS", 14)

# --- Access (passes) --------------------------------------------------------------------
# Pass tokens are kept sealed (access.tokens): comma-separated Fernet keys, newest first;
# empty, a key derived from SECRET_KEY (and its fallbacks) stands in.
PARCAUTO_PASS_TOKEN_KEYS = envlist("PARCAUTO_PASS_TOKEN_KEYS", "")
# Tasks queued (after commit, with `organization_id` and `pass_id`) whenever what a wallet
# shows of a pass changes: dotted paths of @task functions (the wallets' update pushes).
PARCAUTO_PASS_CHANGED_TASKS: list[str] = ["parcauto.wallets.tasks.wallet_pass_changed"]
# Dotted callables `(*, access_pass, contract) -> dict` adding to the pass e-mail's context
# (the wallets' buttons); a "secrets" list in it is kept out of the stored copy.
PARCAUTO_PASS_EMAIL_EXTRAS: list[str] = ["parcauto.wallets.emails.pass_email_extras"]

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
# The sandbox takes test cards and collects nothing: off outside DEBUG unless a staging
# site says so (its pages answer 404 and start-up stops otherwise: check parcauto.E011).
PARCAUTO_ALLOW_SANDBOX_GATEWAY = envbool("PARCAUTO_ALLOW_SANDBOX_GATEWAY", DEBUG)
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

# --- Wallet passes (parcauto/wallets; README "Wallet passes") ------------------------------
# Certificates, keys and the service account: a file path or the PEM / JSON text itself.
# Left empty, a development chain and key are made on first use under var/wallet-dev/
# while WALLET_DEV_CREDENTIALS is on (DEBUG's default); without them a wallet is not offered.
WALLET_DEV_CREDENTIALS = envbool("WALLET_DEV_CREDENTIALS", DEBUG)
WALLET_DEV_DIR = VAR_DIR / "wallet-dev"
WALLET_APPLE_PASS_TYPE_ID = envstr("WALLET_APPLE_PASS_TYPE_ID", "pass.ca.parcauto.dev")
WALLET_APPLE_TEAM_ID = envstr("WALLET_APPLE_TEAM_ID", "PARCAUTODV")
WALLET_APPLE_CERTIFICATE = envstr("WALLET_APPLE_CERTIFICATE", "")
WALLET_APPLE_KEY = envstr("WALLET_APPLE_KEY", "")
WALLET_APPLE_KEY_PASSWORD = envstr("WALLET_APPLE_KEY_PASSWORD", "")
WALLET_APPLE_WWDR = envstr("WALLET_APPLE_WWDR", "")
# Pushes to devices: the recording sandbox, or `parcauto.wallets.apple.push.ApnsPush`
# (HTTP/2 to WALLET_APNS_HOST, authenticated by the Pass Type ID certificate).
WALLET_APPLE_PUSH = envstr("WALLET_APPLE_PUSH", "parcauto.wallets.apple.push.SandboxPush")
WALLET_APNS_HOST = envstr("WALLET_APNS_HOST", "api.push.apple.com")
WALLET_GOOGLE_SERVICE_ACCOUNT = envstr("WALLET_GOOGLE_SERVICE_ACCOUNT", "")
WALLET_GOOGLE_ISSUER_ID = envstr("WALLET_GOOGLE_ISSUER_ID", "3388000000000000000")
# Object updates: the recording sandbox, or `parcauto.wallets.google.api.WalletRestApi`.
WALLET_GOOGLE_API = envstr("WALLET_GOOGLE_API", "parcauto.wallets.google.api.SandboxWalletApi")
WALLET_TIMEOUT_SECONDS = envint("WALLET_TIMEOUT_SECONDS", 10)

# --- E-mail (Django 6.1 MAILERS) --------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:587 in production, file:///dir on a staging site;
# unset, files under var/mail/ (development only: check parcauto.E020).
EMAIL_URL = envstr("EMAIL_URL", "")
MAIL_DIR, MAILERS = mailers_from_url(
    EMAIL_URL, development_dir=VAR_DIR / "mail", timeout=envint("EMAIL_TIMEOUT_SECONDS", 30)
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Parcauto <no-reply@parcauto.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The outbox (notifications.delivery): a refused message is tried again after 1, 2, 4...
# times EMAIL_RETRY_SECONDS, EMAIL_MAX_ATTEMPTS times in all (10 from 60 s: ~8.5 h), then
# FAILED and listed in the back office. A message SENDING for longer than
# EMAIL_SENDING_TIMEOUT_SECONDS lost its worker and is queued again: keep it well above
# the SMTP time-out, or a slow send goes out twice.
PARCAUTO_EMAIL_MAX_ATTEMPTS = envint("EMAIL_MAX_ATTEMPTS", 10)
PARCAUTO_EMAIL_RETRY_SECONDS = envint("EMAIL_RETRY_SECONDS", 60)
PARCAUTO_EMAIL_SENDING_TIMEOUT_SECONDS = envint("EMAIL_SENDING_TIMEOUT_SECONDS", 600)
for _name in ("EMAIL_MAX_ATTEMPTS", "EMAIL_RETRY_SECONDS", "EMAIL_SENDING_TIMEOUT_SECONDS"):
    if globals()[f"PARCAUTO_{_name}"] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more")

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
    # The PassKit web service (wallets.webservice): every call per address, and failed
    # authentications apart. Phones share addresses (campus and carrier NAT) and a
    # renewal day updates thousands of passes at once: set high. The tokens themselves
    # (256-bit HMACs) cannot be guessed; this stops noise, not a search.
    "wallet_service": envrates("PARCAUTO_RATE_LIMIT_WALLET_SERVICE", "3000/10m/ip", per=("ip",)),
    "wallet_auth": envrates("PARCAUTO_RATE_LIMIT_WALLET_AUTH", "100/15m/ip", per=("ip",)),
    # "Régénérer mon code" on the pass page: each one revokes the code in every wallet.
    "pass_regenerate": envrates("PARCAUTO_RATE_LIMIT_PASS_REGENERATE", "5/h/user,50/h/ip"),
    # "PAYER UN AVIS DE RÉCLAMATION": wrong number/plate pairs only, per address and per
    # notice number tried (a number read on a windshield must not be guessable into its
    # plate, name and photos from many addresses either).
    "notice_lookup": envrates(
        "PARCAUTO_RATE_LIMIT_NOTICE_LOOKUP", "20/15m/ip,10/h/key", per=("ip", "key")
    ),
    # Paying a notice (each one verifies a card with the gateway) and contesting one.
    "notice_pay": envrates("PARCAUTO_RATE_LIMIT_NOTICE_PAY", "10/h/ip", per=("ip",)),
    "notice_contest": envrates("PARCAUTO_RATE_LIMIT_NOTICE_CONTEST", "10/h/ip", per=("ip",)),
}
# django-ratelimit's checks know memcached and django-redis only. W001 flags Django's own
# Redis cache (production: REDIS_URL), whose increment is atomic; E003 flags the database
# cache used without REDIS_URL (development), whose increment is a read then a write, so
# two attempts at the same instant may count once there. Production sets REDIS_URL.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Parcauto"

# --- The devices' API (parcauto/api) ---------------------------------------------------
# Requests per device key, counted like the pages' limits (count/period/device).
PARCAUTO_API_DEVICE_RATE = envrates("PARCAUTO_API_DEVICE_RATE", "600/m/device", per=("device",))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["parcauto.api.authentication.DeviceKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["parcauto.api.permissions.IsDevice"],
    "DEFAULT_THROTTLE_CLASSES": ["parcauto.api.throttling.DeviceRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "parcauto.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Parcauto API",
    "DESCRIPTION": (
        "Gate readers, plate cameras and patrol phones of an institution's lots. "
        "Authenticate with `Authorization: Bearer <key>` (a device's key, shown once in the "
        "back office). Errors: `{code, message, fields}`, messages in the Accept-Language."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

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
# Uploads and the files the app makes (proofs, cheque specimens, PAD and payroll files)
# go through Django's storage API, so every app node and task worker sees the same files:
# local disk by default (one machine), an S3-compatible bucket when PARCAUTO_S3_BUCKET is
# set (django-storages). Private either way: only the app reads them back, for the owner
# and staff. The keys may also come from boto3's own sources (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY in the environment, an instance role).
PARCAUTO_S3_BUCKET = envstr("PARCAUTO_S3_BUCKET", "")
_MEDIA_STORAGE: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if PARCAUTO_S3_BUCKET:
    _MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PARCAUTO_S3_BUCKET,
            "endpoint_url": envstr("PARCAUTO_S3_ENDPOINT_URL", "") or None,  # not AWS: its URL
            "region_name": envstr("PARCAUTO_S3_REGION", "") or None,
            "access_key": envstr("PARCAUTO_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": envstr("PARCAUTO_S3_SECRET_ACCESS_KEY", "") or None,
            "location": envstr("PARCAUTO_S3_PREFIX", ""),  # a folder in a shared bucket
            "addressing_style": envstr("PARCAUTO_S3_ADDRESSING_STYLE", "") or None,
            "default_acl": "private",
            "file_overwrite": False,  # a second file of the same name gets its own name
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": _MEDIA_STORAGE,
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

# --- Operations: logs, errors, metrics (README "Production") ----------------------------
# One JSON object a line (core.logs), each with its request id; text lines in development.
LOG_FORMAT = envstr("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "parcauto.core.logs.JsonFormatter"
            if LOG_FORMAT == "json"
            else "parcauto.core.logs.TextFormatter"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default config gives "django" its own console handler in debug: one
        # line per record is enough, the root's.
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
# Errors to Sentry when a DSN is given, scrubbed of personal data (core.sentry).
SENTRY_DSN = envstr("SENTRY_DSN", "")
if SENTRY_DSN:
    sentry_init(dsn=SENTRY_DSN, environment=envstr("SENTRY_ENVIRONMENT", "production"))
# GET /metrics answers Prometheus with this bearer token (32 characters or more); unset,
# it answers 404. PROMETHEUS_MULTIPROC_DIR (read by prometheus-client) adds up the
# requests of every gunicorn process of the node (core.metrics).
PARCAUTO_METRICS_TOKEN = envstr("PARCAUTO_METRICS_TOKEN", "")
