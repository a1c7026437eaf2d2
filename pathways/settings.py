"""Pathways settings, driven by environment variables.

Every variable is parsed strictly: a value we cannot read stops the process
with ImproperlyConfigured instead of silently falling back, because a
misconfigured clinical system should fail loudly at start-up, not at 2 a.m.

PATHWAYS_MODE=production turns on the production guards: DEBUG must be off, the
secret key must be set (and not the development one), and a DATABASE_URL is required.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from common.crypto import DEV_FIELD_ENCRYPTION_KEY
from common.crypto import check_keys as check_field_keys
from pathways.env import env_bool, env_int, env_json, env_list, env_str
from pathways.policies import CONTENT_SECURITY, logging_config
from pathways.settings_check import REPLICA, validate_databases

# Lets Django's generic classes take a type argument at run time (ModelForm[Client],
# ModelAdmin[Room]), as django-stubs declares them, so no class needs a type: ignore.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "pathways-development-only-secret-key-do-not-use-in-production"  # noqa: S105

MODE = env_str("PATHWAYS_MODE", "development")
if MODE not in ("development", "production"):
    raise ImproperlyConfigured(f"PATHWAYS_MODE must be development or production, not {MODE!r}")
PRODUCTION = MODE == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when PATHWAYS_MODE=production")
    if SECRET_KEY in ("", DEV_SECRET_KEY) or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Set SECRET_KEY to a random value of 50+ characters")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS when PATHWAYS_MODE=production")
    if "DATABASE_URL" not in os.environ:
        raise ImproperlyConfigured("Set DATABASE_URL (PostgreSQL) when PATHWAYS_MODE=production")

# --- The practice ---------------------------------------------------------
PRACTICE_NAME = env_str("PRACTICE_NAME", "Pathways Family Counseling Services")
PRACTICE_ADDRESS = env_str("PRACTICE_ADDRESS", "100 Example Street, Suite 200, Richmond, VA 23219")
PRACTICE_PHONE = env_str("PRACTICE_PHONE", "(555) 010-0100")
PRACTICE_EMAIL = env_str("PRACTICE_EMAIL", "hello@pathways.example")
TIME_ZONE = env_str("PRACTICE_TIME_ZONE", "America/New_York")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"PRACTICE_TIME_ZONE {TIME_ZONE!r} is not an IANA time zone")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True

# --- Applications ---------------------------------------------------------
INSTALLED_APPS = [
    # First: its runserver replaces Django's and serves pathways.asgi (HTTP and the BLS
    # display's WebSockets), so `make run` still starts everything with one command.
    # Development only: production serves WebSockets with the `daphne` command, which
    # needs no app, and the app would load Twisted into every gunicorn worker (44 MB
    # of each worker's 200 MB budget, issue 14 §3).
    *([] if PRODUCTION else ["daphne"]),
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The widgets' templates, for FORM_RENDERER (it loads templates through TEMPLATES).
    "django.forms",
    "django_htmx",
    # django-otp's core only: the authenticators are accounts.Authenticator, whose
    # secret is encrypted at rest (otp_totp's TOTPDevice keeps it in clear).
    "django_otp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "accounts",
    "audit",
    "website",
    "intake",
    "clients",
    "amendments",
    "notifications",
    "partners",
    "prescriptions",
    "consents",
    "treatment",
    "scheduling",
    "dosing",
    "bls",
    "measures",
    "interop",
    # The project package itself: the staff dashboard and the demo practice (seed_demo).
    "pathways",
]

# --- Plug-in points (common.plugins): ordered lists of functions, like MIDDLEWARE ---
# An app adds to a page by naming its function here; the page follows the list's
# order. Tests change a list with override_settings.

# Sections of the staff client page, each with the chart's tab it goes on
# (clients.panels.TABS): (tab, f(request, client) -> clients.panels.Panel | None).
PATHWAYS_CLIENT_PANELS = [
    ("overview", "measures.alerts.panels.safety_alerts_panel"),
    ("overview", "interop.panels.export_panel"),
    ("appointments", "scheduling.panels.appointments_panel"),
    ("course", "treatment.panels.courses_panel"),
    ("course", "dosing.panels.client_panel"),
    ("course", "bls.panels.emdr_panel"),
    ("measures", "measures.alerts.panels.safety_alerts_panel"),
    ("measures", "measures.panels.measures_panel"),
    ("measures", "measures.outcomes.panels.outcome_charts_panel"),
    ("consents", "consents.panels.consents_panel"),
    ("consents", "partners.panels.disclosures_panel"),
    ("referrals", "partners.panels.referrals_panel"),
    ("referrals", "prescriptions.panels.client_panel"),
    ("notes", "dosing.notes_panel.notes_panel"),
    ("notes", "amendments.panels.amendments_panel"),
]
# Facts in the header of the client chart: f(request, client) -> list[HeaderFact].
PATHWAYS_CLIENT_FACTS = [
    "treatment.facts.course_facts",
    "measures.alerts.facts.alert_facts",
    "consents.facts.consent_facts",
]
# Sections of the partner-portal referral page: f(request, referral) -> Panel | None.
PATHWAYS_PORTAL_PANELS = [
    "prescriptions.panels.portal_panel",
    "dosing.panels.portal_panel",
]
# Sections of the partner portal's home, after "waiting for you":
# f(request) -> partners.portal_views.HomeSection | None.
PATHWAYS_PORTAL_HOME_SECTIONS = [
    "dosing.portal_views.home_section",
    "prescriptions.portal_views.home_section",
]
# Sources of the client timeline: f(client) -> list[clients.panels.TimelineEntry].
PATHWAYS_TIMELINE_SOURCES = [
    "intake.timeline.record_entries",
    "partners.panels.referral_timeline",
    "prescriptions.panels.client_timeline",
    "consents.panels.consents_timeline",
    "treatment.panels.treatment_entries",
    "scheduling.panels.appointment_entries",
    "dosing.panels.client_timeline",
    "bls.panels.emdr_entries",
    "measures.alerts.panels.safety_alert_entries",
    "measures.panels.measures_timeline",
    "amendments.panels.amendment_entries",
]
# The dosing readiness gate, at the session's start and before every dose:
# f(treatment.gate.Gate) -> treatment.gate.Check, listed in this order on the page.
PATHWAYS_GATE_CONDITIONS = [
    "treatment.gate.referral_condition",
    "treatment.gate.prescription_condition",
    "treatment.gate.consent_condition",
    "treatment.gate.release_condition",
    "treatment.gate.escort_condition",
    "measures.gate.safety_alerts_condition",
    "treatment.gate.preparation_condition",
]
# What a referral shares beyond the record's own items: f(client) -> {key: [items]}.
PATHWAYS_REFERRAL_SECTIONS = [
    "measures.queries.referral_scores",
]
# The chart on a dosing record's summary: f(treatment session) -> SVG text or "".
PATHWAYS_SESSION_CHARTS = [
    "bls.charts.session_timeline_svg",
]
# How many dosing sessions a prescription has used: f(prescription) -> int (one path).
PATHWAYS_SESSIONS_USED = "treatment.queries.dosing_sessions_used"
# Today's checks before every dose, after the gate: f(dosing record) -> Check.
PATHWAYS_DOSE_CONDITIONS = [
    "measures.gate.recent_phq9_condition",
    "dosing.rules.risk_check_condition",
]
# What follows a course session's status (treatment.services, inside its transaction):
# f(*, actor, session, status) -> None.
PATHWAYS_SESSION_LISTENERS = [
    "scheduling.listeners.session_status_changed",
]

# `make bench` (issue 14 §2): the floor view and the query count per response
# (pathways/bench_endpoints.py), off unless the environment asks.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", default=False)

MIDDLEWARE = [
    # Outermost, to count every query; left out of the chain unless BENCH_ENDPOINTS.
    "pathways.bench_endpoints.QueryCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, which answers static files without the middleware below.
    "common.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, with its read of the device compiled once (issue 14).
    "accounts.middleware.OTPMiddleware",
    # After the user is read: the absolute session lifetime, deactivated users signed out.
    "accounts.middleware.SessionLimitsMiddleware",
    # After the user is read: every request during emergency access is audited.
    # Outside the next one, whose "did the view audit its refusal?" must not see it.
    "clients.middleware.BreakGlassAuditMiddleware",
    # After the user is read: every 403/404/410 on a PHI URL leaves an audit entry.
    "audit.middleware.RefusalAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "common.middleware.NoStoreMiddleware",
    # Under DEBUG, the practice's 403 and 404 pages instead of Django's technical ones.
    "pathways.error_pages.StyledErrorPagesMiddleware",
    # Axes must be last: it turns a locked-out authenticate() into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pathways.urls"
WSGI_APPLICATION = "pathways.wsgi.application"
# HTTP and the WebSockets of the BLS display and its control (bls.routing), served by
# daphne (`runserver` in development; `daphne pathways.asgi:application` in production).
ASGI_APPLICATION = "pathways.asgi.application"
AUTH_USER_MODEL = "accounts.User"

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
                "csp.context_processors.nonce",
                # `csrf_token` masked with less work than Django's (common/csrf.py);
                # it replaces the built-in processor's.
                "common.csrf.csrf",
                "website.context_processors.practice",
                # The counts beside the staff navigation (lazy; practice users only).
                "pathways.context_processors.staff_counts",
            ],
            # `date` and `time` that show a stored value at the calendar's edges
            # instead of failing (common/template_dates.py).
            # `url`, which reverses a URL of record numbers once (common/template_urls.py).
            # `extends`, which finds the root template's blocks once (common/template_extends.py).
            "builtins": [
                "common.template_dates",
                "common.template_badges",
                "common.template_urls",
                "common.template_extends",
            ],
            # A select's options written in Python (templates/django/forms/widgets).
            "libraries": {"pathways_widgets": "common.template_widgets"},
        },
    },
]

# Fields render through templates/includes/field_group.html (see common.forms).
FORM_RENDERER = "common.forms.PathwaysFormRenderer"


# --- Database -------------------------------------------------------------
# The page cache of each SQLite connection (SQLite's own is 2 MB). At 10,000 clients the
# database is 1.9 GB, and a staff page's reads (the session, the nav counts, the audit
# chain's head, the page's own) went back to the operating system for pages 2 MB had
# let go: 16 MB took 0.5-1 ms of SQL off a staff page and 6-10 ms off the partner
# portal's home, measured in the process (issue 14). It is memory of each connection:
# a worker holds one per database (two with a SQLite replica), and `make bench` checks
# the workers' memory at the default. Checked whatever the database, as every setting.
SQLITE_CACHE_MB = env_int("SQLITE_CACHE_MB", 16)
if not 1 <= SQLITE_CACHE_MB <= 1024:
    raise ImproperlyConfigured(f"SQLITE_CACHE_MB must be 1 to 1024, not {SQLITE_CACHE_MB}")

# PostgreSQL plans each statement before it runs it, and the pages' statements (joins,
# subqueries, windows) took longer to plan than to run: a therapist's Today spent 10 ms
# in SQL at 10,000 clients, 1.0 ms of it planning a query that ran in 0.05 (EXPLAIN
# ANALYZE, issue 14). With the values bound by the server (Django's
# `server_side_binding`), psycopg prepares a statement a connection has run this many
# times and PostgreSQL keeps its plan (its generic plan where that costs no more than the
# custom ones: `plan_cache_mode=auto`): Today 14.6 -> 9.6 ms, the client chart 17.7 ->
# 14.6, the calendar week 24.7 -> 20.8, in the process. 0 turns it off (a pooler in
# transaction mode cannot keep prepared statements: PgBouncer before 1.21, or after it
# without max_prepared_statements).
PG_PREPARE_THRESHOLD = env_int("PG_PREPARE_THRESHOLD", 5)
if not 0 <= PG_PREPARE_THRESHOLD <= 1000:
    raise ImproperlyConfigured(
        f"PG_PREPARE_THRESHOLD must be 0 to 1000, not {PG_PREPARE_THRESHOLD}"
    )


def _database(name: str, url: str) -> dict[str, Any]:
    """A database from its URL (`name` is the variable it came from)."""
    try:
        database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} cannot be parsed: {exc}") from None
    if database["ENGINE"] == "django.db.backends.sqlite3":
        (BASE_DIR / "var").mkdir(exist_ok=True)
        # The connection is kept (CONN_MAX_AGE from the URL, 60 s), as on PostgreSQL:
        # opening one costs 2.2 ms here (the backend's functions, the pragmas), more
        # than a page's queries on an open one (0.02 ms each).
        # WAL lets the web server read while db_worker writes; the busy timeout makes
        # a writer wait for the lock instead of failing with "database is locked".
        # The page cache: SQLITE_CACHE_MB, above.
        cache_kib = SQLITE_CACHE_MB * 1024
        database["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA cache_size=-{cache_kib};"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif database["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL compiles a query with LLVM (JIT) once its estimated cost passes
        # jit_above_cost. Our queries are short and run once: compiling the outcomes
        # report's grouped query took 656 ms of its 1,131 (EXPLAIN ANALYZE, 10,000
        # clients), for nothing back. Off for this app's sessions; the URL's own
        # options (?options=...) are kept.
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        # Prepared statements: PG_PREPARE_THRESHOLD, above.
        if PG_PREPARE_THRESHOLD:
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", PG_PREPARE_THRESHOLD)
    return database


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'pathways.sqlite3'}")
DATABASES = {"default": _database("DATABASE_URL", DATABASE_URL)}
# A read replica of the primary (e.g. a PostgreSQL hot standby) for the reports over the
# whole practice: pathways.db_router sends the reads of the views marked
# common.replica.reads_from_replica there, and everything else to "default". Unset: no
# "replica" alias, and every read goes to "default". Its engine must be the primary's
# (pathways.settings_check). In tests it is the test database itself (MIRROR).
REPLICA_DATABASE_URL = env_str("REPLICA_DATABASE_URL")
if REPLICA_DATABASE_URL:
    DATABASES[REPLICA] = _database("REPLICA_DATABASE_URL", REPLICA_DATABASE_URL)
    DATABASES[REPLICA]["TEST"] = {"MIRROR": "default"}
validate_databases(DATABASES)
DATABASE_ROUTERS = ["pathways.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches ---------------------------------------------------------------
# "default" is Django's own default, named. "pictures" keeps drawn charts until their
# data changes (common.pictures): in each process's memory, bounded, and deliberately
# not a shared cache (Redis, memcached), because a chart holds PHI and must not leave
# the process or the database. About 50 kB a picture: 500 of them is about 25 MB a worker.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pictures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pathways-pictures",
        # The fingerprint decides when a picture is stale; the timeout only lets a
        # picture nobody opens any more go.
        "TIMEOUT": 6 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # The public pages rendered once per version of what they show (website.page_cache):
    # public text only, per process.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pathways-pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}

# --- Auth -----------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user through SQL compiled once.
    "accounts.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Two-factor sign-in (TOTP, django-otp). A user who has set up an authenticator
# must always use it; REQUIRE_2FA makes every staff user set one up first.
REQUIRE_2FA = env_bool("REQUIRE_2FA", default=PRODUCTION)
# Read by accounts.Authenticator under django-otp's names for them.
OTP_TOTP_ISSUER = PRACTICE_NAME
OTP_TOTP_THROTTLE_FACTOR = 1

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
# Locked out by failures per username (from any address: a guesser spreading over
# many addresses) or per address (across usernames: one address trying a common
# password on many accounts). The username-and-address pair is implied by either.
# A username lock-out can be caused by anyone who knows the username: the admin
# unlocks it (django-axes in the admin, or `axes_reset_username`).
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "common.ip.client_ip"
# Behind one reverse proxy, read the address it appended to X-Forwarded-For.
USE_X_FORWARDED_FOR = env_bool("USE_X_FORWARDED_FOR", default=False)

# A session ends after SESSION_IDLE_MINUTES without a request (a request renews it:
# SESSION_SAVE_EVERY_REQUEST, when SESSION_RENEW_SECONDS stale), SESSION_ABSOLUTE_HOURS
# after sign-in whatever the activity (accounts.middleware), or when the browser closes.
# Staff pages warn SESSION_WARNING_MINUTES before the idle limit (idle-timeout.js).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_WARNING_MINUTES = env_int("SESSION_WARNING_MINUTES", 2)
# A request renews the idle limit only when the stored expiry is more than this many
# seconds old, so that most requests write nothing (accounts.session_store): a session
# ends up to this much before SESSION_IDLE_MINUTES, and the idle warning counts so.
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# Database sessions where a request that changed nothing renews only the expiry, so
# that it cannot write back an older copy over a concurrent request's change (a
# page's pictures and a form's flash message): accounts.session_store.
SESSION_ENGINE = "accounts.session_store"
# A sensitive action (users and roles, authenticators, exports) needs the password,
# and the authenticator's code, typed within this many minutes (accounts.reauth).
REAUTH_MINUTES = env_int("REAUTH_MINUTES", 5)
# How long emergency (break-glass) access to a client outside one's care team lasts
# (clients.breakglass); the person may end it sooner, and may open it again.
BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 60)
# How long a partner read API token lives (interop.tokens: 1-365 days).
FHIR_TOKEN_DAYS = env_int("FHIR_TOKEN_DAYS", 90)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Flash messages can name a client: keep them server-side, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security headers -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to HTTPS in every browser for
        # months; that is the practice's decision to make, not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

# The Content-Security-Policy: pathways/policies.py.
CONTENT_SECURITY_POLICY = CONTENT_SECURITY

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
# Where collectstatic writes and whitenoise serves from. `make bench` collects into its own
# folder (bench/server.py), so that it never rewrites the one a running suite reads.
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns if it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # whitenoise's compressed manifest storage, each URL worked out once.
            "common.static_storage.ManifestStaticStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587 if PRODUCTION else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=PRODUCTION)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{PRACTICE_NAME} <noreply@pathways.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Extra addresses told of new requests, besides the active intake coordinators.
INTAKE_NOTIFY_EMAILS = env_list("INTAKE_NOTIFY_EMAILS", [])
# How many times a notification is tried, and the first back-off (doubles each try,
# capped at 6 h). 16 tries span about two days (8 gave up after about 2 hours, so a
# mail outage of an afternoon lost the e-mails of everything submitted during it).
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 16)
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60)

# --- Background tasks -----------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Consent links --------------------------------------------------------
# How long a consent-signing link stays valid. Each link works once.
CONSENT_LINK_HOURS = env_int("CONSENT_LINK_HOURS", 72)
# How long the browser that signed a consent may download its PDF copy (consents.views),
# never longer than SESSION_IDLE_MINUTES, the life of the session that holds it.
CONSENT_COPY_MINUTES = env_int("CONSENT_COPY_MINUTES", 30)

# --- Prescriptions --------------------------------------------------------
# Suggested (editable) pre-dose BP limits on a new prescription. Many clinics do
# not dose above a resting BP of 140/90 (clinical-reference.md, "Monitoring").
PRESCRIPTION_SUGGESTED_MAX_SYSTOLIC = env_int("PRESCRIPTION_SUGGESTED_MAX_SYSTOLIC", 140)
PRESCRIPTION_SUGGESTED_MAX_DIASTOLIC = env_int("PRESCRIPTION_SUGGESTED_MAX_DIASTOLIC", 90)

# --- Dosing sessions ------------------------------------------------------
# Suggested monitoring: a set of vitals every 15 min, and one about 40 min after
# the dose, when the blood-pressure rise peaks (Spravato label; clinical-reference.md).
DOSING_VITALS_EVERY_MINUTES = env_int("DOSING_VITALS_EVERY_MINUTES", 15)
DOSING_PEAK_BP_CHECK_MINUTES = env_int("DOSING_PEAK_BP_CHECK_MINUTES", 40)
# Observe for at least 2 hours after the last dose before discharge (Spravato REMS).
DOSING_MIN_OBSERVATION_MINUTES = env_int("DOSING_MIN_OBSERVATION_MINUTES", 120)
# Baseline vitals clear a dose for this long, and only when taken after arrival.
DOSING_BASELINE_MAX_AGE_MINUTES = env_int("DOSING_BASELINE_MAX_AGE_MINUTES", 60)
# A booster needs a monitoring set within the limits taken no longer ago than this.
DOSING_BOOSTER_VITALS_MAX_AGE_MINUTES = env_int("DOSING_BOOSTER_VITALS_MAX_AGE_MINUTES", 15)
# The client's last PHQ-9 must be this recent for a dose (the measures schedule sends
# one 24 h before each dosing session); older, the dose waits for a new one.
DOSING_PHQ9_MAX_AGE_HOURS = env_int("DOSING_PHQ9_MAX_AGE_HOURS", 72)
# KA-EMDR closure "complete" needs SUD at end at most / VOC at end at least these
# (desensitise toward SUD 0, install toward VOC 7: Shapiro's standard protocol).
EMDR_COMPLETE_SUD_AT_MOST = env_int("EMDR_COMPLETE_SUD_AT_MOST", 1)
EMDR_COMPLETE_VOC_AT_LEAST = env_int("EMDR_COMPLETE_VOC_AT_LEAST", 6)
# Optional overrides of the per-route dose ranges (prescriptions/ranges.py), e.g.
# {"sublingual": {"usual_mg": [50, 300]}}; checked at start-up.
PRESCRIPTION_DOSE_RANGES = env_json("PRESCRIPTION_DOSE_RANGES", {})
# Optional overrides of the expected effect window by route (dosing/effect_window.py),
# minutes after the dose, e.g. {"sublingual": {"onset": 15, "peak": 45, "offset": 120}};
# checked at start-up.
EFFECT_WINDOWS = env_json("EFFECT_WINDOWS", {})

# --- Bilateral stimulation: the display and its control (bls.consumers) ------
# How long a display's pairing code works, in seconds: 30–120 (the issue asks for a code
# that expires within 2 minutes); checked at start-up (bls.settings_check).
BLS_PAIRING_SECONDS = env_int("BLS_PAIRING_SECONDS", 120)
# The channel layer carries a command from the therapist's socket to the display's.
# In one process (runserver, one daphne) the in-memory layer is enough; with several
# server processes they must share Redis: set CHANNEL_REDIS_URL (redis://host:6379/0).
CHANNEL_REDIS_URL = env_str("CHANNEL_REDIS_URL")
CHANNEL_LAYERS: dict[str, dict[str, object]] = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CHANNEL_REDIS_URL]},
        }
        if CHANNEL_REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

# --- Outcome measures -----------------------------------------------------
# PCL-5 probable-PTSD cut-point: 31–33 in the literature, 33 by default
# (Bovin et al. 2016; clinical-reference.md). A screening threshold, not a diagnosis.
PCL5_CUT_POINT = env_int("PCL5_CUT_POINT", 33)
# A measures link works once and expires after this many days.
MEASURE_LINK_DAYS = env_int("MEASURE_LINK_DAYS", 7)
# An unacknowledged safety alert escalates to the practice admin after this many hours.
SAFETY_ALERT_ESCALATE_HOURS = env_int("SAFETY_ALERT_ESCALATE_HOURS", 4)
# The outcomes report counts PHQ-9 response and remission only over courses whose
# baseline is at least this (0–27). 10 follows CMS159 / NQF (CBE) 0710, "Depression
# Remission at Twelve Months" (MN Community Measurement): its denominator is patients
# with an initial PHQ-9 score greater than nine. Lower baselines still count in the
# mean change. The ranges of these settings are checked at start-up
# (measures.settings_check.validate_settings, from MeasuresConfig.ready).
OUTCOMES_PHQ9_DENOMINATOR_MIN = env_int("OUTCOMES_PHQ9_DENOMINATOR_MIN", 10)

# --- Public forms ---------------------------------------------------------
# Submissions (requests plus contact messages) allowed from one IP address per hour.
PUBLIC_FORM_RATE_LIMIT = env_int("PUBLIC_FORM_RATE_LIMIT", 5)
# The public pages read the published services again at most this often per process
# (website.page_cache.published_services; an edit saved through this process shows at
# once, in the other workers within this many seconds). 0: on every request. 0-60,
# checked at start-up (website.apps).
PUBLIC_PAGE_RECHECK_SECONDS = env_int("PUBLIC_PAGE_RECHECK_SECONDS", 2)

# --- Encryption at rest ---------------------------------------------------
# Free-text clinical fields and the e-mail outbox's bodies are stored encrypted
# (common.fields, common.crypto; the README's "Encryption at rest" lists them).
# Comma-separated Fernet keys: the first encrypts, every one decrypts. To rotate, put
# a new key first, run `manage.py rotate_field_key`, then drop the old one. New key:
# python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
# Production refuses the development key; a malformed key stops start-up.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [DEV_FIELD_ENCRYPTION_KEY])
check_field_keys(FIELD_ENCRYPTION_KEYS, production=PRODUCTION)

# --- Logging --------------------------------------------------------------
# No PHI and no secret token in a log line (pathways/policies.py; README, "Logging policy").
LOGGING = logging_config(level=env_str("LOG_LEVEL", "INFO"))
