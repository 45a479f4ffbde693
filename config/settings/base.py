"""Settings shared by every environment. Everything configurable comes from the environment."""

from pathlib import Path

import django_stubs_ext
import environ
from django.utils.translation import gettext_lazy as _

from config.settings.storage import default_storage

# Django's generic classes take type arguments at run time too (forms.ModelChoiceField[Review] as a base class,
# UploadedFile[bytes] in a signature), as they do for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Workers have no request: absolute links in emails and PDFs are built from this.
SITE_URL = env("PORTAL_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    # The third-party apps with an admin are installed under their Vietnamese names (programmes/vendor_apps.py).
    "programmes.vendor_apps.PeriodicTasksConfig",
    "simple_history",
    "treebeard",
    "programmes.vendor_apps.SignInRecordsConfig",
    "django_otp",
    "programmes.vendor_apps.AuthenticatorAppsConfig",
    "programmes.vendor_apps.RecoveryCodesConfig",
    "programmes",
    "reviews",
    "publicity",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the two above: it reads the verified device and leaves a message with its redirect.
    "programmes.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "programmes.middleware.AuditContextMiddleware",
    # Turns SQLite's "database is locked" (another writer held it past the timeout) into a "try again" page.
    "programmes.middleware.DatabaseBusyMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "programmes.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web process and the worker write side by side.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "programmes:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login lockout: after AXES_FAILURE_LIMIT failures for a user name from one address, that name is locked from
# that address only (someone else's failures never lock a person out); after LOGIN_ADDRESS_FAILURE_LIMIT failures
# from one address whatever the user names (a password spray), the whole address is locked. Both last
# AXES_COOLOFF_HOURS. The address is the portal's client address (PORTAL_TRUSTED_PROXIES), as in the audit log.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "programmes.accounts.lockout.PortalAxesHandler"
AXES_CLIENT_IP_CALLABLE = "programmes.middleware.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Second factor (TOTP with recovery codes). When true, staff, superusers, organisation-board staff and committee
# members, standing members and heads must set it up before they can use anything else; everyone may turn it on.
PORTAL_REQUIRE_SECOND_FACTOR = env.bool("PORTAL_REQUIRE_SECOND_FACTOR", default=True)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env("PORTAL_TOTP_ISSUER", default="Cổng chương trình hành động")
# The admin's device pages never show a device's secret key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A password-reset link is valid this long (seconds).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
# Reset requests from one client address in an hour, whatever e-mail addresses they name.
PASSWORD_RESET_HOURLY_LIMIT = env.int("PASSWORD_RESET_HOURLY_LIMIT", default=5)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
# The portal's own catalogue first, so its wording wins; then the hand-kept Vietnamese for what Django's own
# catalogues and the third-party apps (celery-beat, axes, otp, filter, treebeard, simple-history) leave in English.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root whatever the page says (/favicon.ico), served there by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "/media/"
# Media is private: evidence and reports are served only through views that ask the access module. The files are
# under MEDIA_ROOT unless DJANGO_STORAGE_S3_BUCKET puts them in an S3-compatible bucket (config/settings/storage.py).
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
# Bounds on one import file (docs/IMPORTS.md), checked before it is parsed so that no file can exhaust a
# worker: its size in megabytes; data rows below the header (a ward has a few thousand members, a sector
# committee tens of thousands; a city roster is imported per ward or sector); columns; cells; and, for XLSX,
# its content once decompressed, in megabytes.
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=20)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=2_000_000)
IMPORT_MAX_UNCOMPRESSED_MB = env.int("IMPORT_MAX_UNCOMPRESSED_MB", default=100)
# An import started this many times without finishing (its worker killed, say out of memory) is stopped for
# good the next time it is delivered, instead of being handed to worker after worker.
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)
# Spreadsheets of the staff lists: a list of more rows than this is written by a worker in the background (with its
# progress on a page) instead of while the person waits; the file is kept this many hours for its maker.
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=20_000)
EXPORT_FILE_RETENTION_HOURS = env.int("EXPORT_FILE_RETENTION_HOURS", default=48)
# Largest evidence file (PDF, image, office document) a cadre may attach to a progress report, in megabytes.
EVIDENCE_MAX_UPLOAD_MB = env.int("EVIDENCE_MAX_UPLOAD_MB", default=10)
# The copy of a linked page kept when evidence is a link (programmes.action_programmes.link_fetch): at most this
# large, fetched within these times (seconds: per connection or read, and in all), tried at most this many times.
EVIDENCE_ARCHIVE_MAX_MB = env.int("EVIDENCE_ARCHIVE_MAX_MB", default=5)
EVIDENCE_ARCHIVE_TIMEOUT_SECONDS = env.float("EVIDENCE_ARCHIVE_TIMEOUT_SECONDS", default=10.0)
EVIDENCE_ARCHIVE_TOTAL_SECONDS = env.float("EVIDENCE_ARCHIVE_TOTAL_SECONDS", default=30.0)
EVIDENCE_ARCHIVE_MAX_ATTEMPTS = env.int("EVIDENCE_ARCHIVE_MAX_ATTEMPTS", default=3)
# Loopback addresses the fetcher may reach, so that a test can archive from its own server on this machine (the
# tests list 127.0.0.2 only, so that a link or a redirect to localhost, 127.0.0.1, stays refused). Loopback only:
# no private range can be opened here. Empty, and never read from the environment: a deployment cannot set it;
# only a test's settings override does.
EVIDENCE_ARCHIVE_TEST_ADDRESSES: tuple[str, ...] = ()

# Digital signatures (ký số) of the reports and confirmed programmes (docs/SIGNING.md). The portal's key: a PKCS#12
# file and its passphrase; none, and documents are made unsigned. A signing body with a key of its own (from the
# Government's specialised CA) is named by its organisation code in PORTAL_SIGNING_KEYS, a JSON object
# {"<code>": {"pkcs12": "<path>", "passphrase": "<passphrase>"}}. With a timestamp server (RFC 3161) each signature
# carries its time from it. The verification page trusts the certificates of PORTAL_SIGNING_TRUST_ROOTS (PEM or DER
# files) and the issuers bundled in the configured PKCS#12 files, and reads uploads up to VERIFY_MAX_UPLOAD_MB.
PORTAL_SIGNING_PKCS12 = env("PORTAL_SIGNING_PKCS12", default="")
PORTAL_SIGNING_PASSPHRASE = env("PORTAL_SIGNING_PASSPHRASE", default="")
PORTAL_SIGNING_KEYS: dict[str, dict[str, str]] = env.json("PORTAL_SIGNING_KEYS", default={})
PORTAL_SIGNING_TSA_URL = env("PORTAL_SIGNING_TSA_URL", default="")
PORTAL_SIGNING_TRUST_ROOTS = env.list("PORTAL_SIGNING_TRUST_ROOTS", default=[])
VERIFY_MAX_UPLOAD_MB = env.int("VERIFY_MAX_UPLOAD_MB", default=10)

# Reverse proxies in front of the portal that append the client's address to X-Forwarded-For (0: none, the
# connection's own address is the client's). Used for the audit log and the feedback rate limit.
PORTAL_TRUSTED_PROXIES = env.int("PORTAL_TRUSTED_PROXIES", default=0)

# Citizen feedback: how many cases one network address may send, as (window in minutes, most cases) pairs;
# the days the oversight body has to answer; how long after a case closes the sender's contact is kept.
FEEDBACK_RATE_LIMITS = (
    (10, env.int("FEEDBACK_BURST_LIMIT", default=3)),
    (24 * 60, env.int("FEEDBACK_DAILY_LIMIT", default=10)),
)
FEEDBACK_ANSWER_DAYS = env.int("FEEDBACK_ANSWER_DAYS", default=30)
FEEDBACK_CONTACT_RETENTION_DAYS = env.int("FEEDBACK_CONTACT_RETENTION_DAYS", default=180)
# The question a person answers on the feedback form stays valid this long (seconds).
FEEDBACK_CHALLENGE_MAX_AGE = 2 * 60 * 60

# Citizens following a programme, a cadre or an area by e-mail (publicity.follow): how many requests one network
# address may send, and how many one e-mail address may receive a confirmation for (beyond it the answer is the same
# and nothing is sent), as (window in minutes, most requests) pairs; how long the confirmation link stays valid; how
# long a request never confirmed is kept before it is deleted with its address.
FOLLOW_RATE_LIMITS = (
    (10, env.int("FOLLOW_BURST_LIMIT", default=5)),
    (24 * 60, env.int("FOLLOW_DAILY_LIMIT", default=20)),
)
FOLLOW_ADDRESS_RATE_LIMITS = (
    (60, env.int("FOLLOW_ADDRESS_HOURLY_LIMIT", default=3)),
    (24 * 60, env.int("FOLLOW_ADDRESS_DAILY_LIMIT", default=5)),
)
FOLLOW_CONFIRM_DAYS = env.int("FOLLOW_CONFIRM_DAYS", default=3)
FOLLOW_PENDING_RETENTION_DAYS = env.int("FOLLOW_PENDING_RETENTION_DAYS", default=7)
# The organisation dashboards (publicity.dashboards): a commitment not finished is "due soon" when its deadline falls
# within this many days, and "stalled" when no progress was reported on it for this many days (counted from the
# confirmation of the version in force while nothing was ever reported).
DASHBOARD_DUE_SOON_DAYS = env.int("DASHBOARD_DUE_SOON_DAYS", default=30)
DASHBOARD_STALLED_DAYS = env.int("DASHBOARD_STALLED_DAYS", default=60)

# Retention of personal data (docs/PRIVACY.md), in days, enforced every night by programmes.tasks.enforce_retention:
# row history (every earlier state of cadres, private details, memberships, posts, roles and the tree), in-portal
# notifications, the log of who read whose personal data, uploaded import files (needed only to run the import),
# and the sign-in records django-axes keeps (time, address and browser of each sign-in).
HISTORY_RETENTION_DAYS = env.int("HISTORY_RETENTION_DAYS", default=3 * 365)
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=365)
READ_EVENT_RETENTION_DAYS = env.int("READ_EVENT_RETENTION_DAYS", default=3 * 365)
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=30)
SIGN_IN_LOG_RETENTION_DAYS = env.int("SIGN_IN_LOG_RETENTION_DAYS", default=180)
# Notifications and reminders (programmes.reminders, reviews.reminders, publicity.reminders), counted in local days
# (Asia/Ho_Chi_Minh): a commitment is reminded of REMINDER_DUE_DAYS before its deadline, then every
# REMINDER_OVERDUE_EVERY_DAYS once past it; a commitment without a progress report for REMINDER_STALLED_DAYS, and
# again every as many days; a member REMINDER_SELF_REVIEW_DAYS before the self-review deadline and on its last day;
# the head every REMINDER_CONFIRMATION_DAYS that a decision waits for confirmation; the oversight body every
# REMINDER_FEEDBACK_EVERY_DAYS that a case is past its answer deadline. The link in an e-mail that turns a kind off
# works for NOTIFICATION_UNSUBSCRIBE_DAYS.
REMINDER_DUE_DAYS = env.int("REMINDER_DUE_DAYS", default=7)
REMINDER_OVERDUE_EVERY_DAYS = env.int("REMINDER_OVERDUE_EVERY_DAYS", default=7)
REMINDER_STALLED_DAYS = env.int("REMINDER_STALLED_DAYS", default=30)
REMINDER_SELF_REVIEW_DAYS = env.int("REMINDER_SELF_REVIEW_DAYS", default=3)
REMINDER_CONFIRMATION_DAYS = env.int("REMINDER_CONFIRMATION_DAYS", default=3)
REMINDER_FEEDBACK_EVERY_DAYS = env.int("REMINDER_FEEDBACK_EVERY_DAYS", default=7)
NOTIFICATION_UNSUBSCRIBE_DAYS = env.int("NOTIFICATION_UNSUBSCRIBE_DAYS", default=90)
# "Việc cần làm" on each person's page (programmes.desk): a commitment shows as due from DESK_DUE_DAYS before its
# deadline; from the first day of DESK_ANNUAL_PERIOD_MONTH, whoever opens review periods is shown the year's annual
# period while none covers their organisation (the default calendar has self-reviews from 1 December).
DESK_DUE_DAYS = env.int("DESK_DUE_DAYS", default=30)
DESK_ANNUAL_PERIOD_MONTH = env.int("DESK_ANNUAL_PERIOD_MONTH", default=11)
STORAGES = {
    "default": default_storage(env),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content security: everything comes from the portal itself (closed networks, no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
# A form refused for its missing or stale security token gets the portal's Vietnamese 403 page.
CSRF_FAILURE_VIEW = "programmes.views.csrf_failure"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds an SMTP operation may take: an e-mail is sent while its notification is locked (sent once), and on
# SQLite that lock is the database's, which a request waits for at most 20 s.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cổng chương trình hành động <no-reply@localhost>")

# Django's cache: the public pages keep their costly parts there (publicity.selectors.areas, the programme page,
# the cards of the list), keyed by stamps the services move. Every process must see a stamp another one moved (a
# programme withdrawn in one web process, or closed by a worker, leaves the pages of all of them), so the cache is
# shared: Redis when CACHE_URL names one; otherwise files under var/cache, which the web processes and the worker of
# the embedded default share without a server. A stamp the file cache culls is drawn afresh: a miss, never a stale page.
CACHE_URL = env("CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "portal"}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(env.path("DJANGO_CACHE_DIR", default=VAR_DIR / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

# Celery. The embedded default is kombu's filesystem transport under var/, which needs no server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker" / "queue"
    _processed_dir = VAR_DIR / "broker" / "processed"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        # The exchange tables of broadcasts (worker pings, remote control); kombu's default is ./control.
        "control_folder": str(VAR_DIR / "broker" / "control"),
    }
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _processed_dir.mkdir(parents=True, exist_ok=True)
else:
    # Longer than the longest task's hard time limit, or Redis redelivers a running task.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Queues by kind, each with its own workers, so that a city-wide report batch (hundreds of thousands of PDFs,
# seconds each) or a 50,000-row import never delays a notification e-mail or a password reset queued behind it.
# Every task of the portal is named here (tests/test_task_routes.py fails on one that is not); whatever is not
# (Celery's own tasks) goes to the default, `interactive`, whose workers stay small and free. The embedded
# default (`make run`) has one worker consuming all three (scripts/run.sh); compose has a worker per queue.
_INTERACTIVE, _REPORTS, _IMPORTS = "interactive", "reports", "imports"
# Not a Celery setting (no CELERY_ prefix): the queues a worker of the embedded default and the tests consume.
TASK_QUEUES = (_INTERACTIVE, _REPORTS, _IMPORTS)
CELERY_TASK_DEFAULT_QUEUE = _INTERACTIVE
CELERY_TASK_ROUTES = {
    # Seconds count for a person waiting: e-mails, and the sweep that hands waiting tasks (e-mails among them)
    # to the broker.
    "programmes.tasks.send_notification_email": {"queue": _INTERACTIVE},
    "programmes.tasks.send_password_reset_email": {"queue": _INTERACTIVE},
    "programmes.tasks.send_digest_email": {"queue": _INTERACTIVE},
    "publicity.tasks.send_answer_email": {"queue": _INTERACTIVE},
    "publicity.tasks.send_follow_confirmation": {"queue": _INTERACTIVE},
    "publicity.tasks.send_follow_emails": {"queue": _INTERACTIVE},
    "programmes.tasks.send_outbox": {"queue": _INTERACTIVE},
    # PDFs: CPU-bound, by the thousand in a batch; the scheduled jobs that plan the batches go with them.
    "reviews.tasks.produce_batch_item": {"queue": _REPORTS},
    "reviews.tasks.produce_review_report": {"queue": _REPORTS},
    "reviews.tasks.refresh_review_reports": {"queue": _REPORTS},
    "reviews.tasks.nightly_reports": {"queue": _REPORTS},
    # Writing the whole city's open-data files is a batch like the reports: it must not hold up a notification.
    "publicity.tasks.refresh_open_data": {"queue": _REPORTS},
    "reviews.tasks.weekly_rollups": {"queue": _REPORTS},
    # Bulk data work: uploaded files, and the nightly sweeps over every row past its retention or waiting case.
    "programmes.tasks.run_import_job": {"queue": _IMPORTS},
    # A spreadsheet of a city-wide list reads hundreds of thousands of rows: bulk work, off the interactive queue.
    "programmes.tasks.run_export_job": {"queue": _IMPORTS},
    "programmes.tasks.enforce_retention": {"queue": _IMPORTS},
    # Fetching a linked page waits on another site for up to EVIDENCE_ARCHIVE_TOTAL_SECONDS: never in front of an
    # e-mail.
    "programmes.tasks.archive_evidence_link": {"queue": _IMPORTS},
    "publicity.tasks.purge_feedback_contacts": {"queue": _IMPORTS},
    "publicity.tasks.attach_verified_feedback": {"queue": _IMPORTS},
    # The morning's reminders and digests sweep the whole city in batches; each e-mail they ask for goes on
    # `interactive` like any other.
    "programmes.tasks.remind_commitments": {"queue": _IMPORTS},
    "programmes.tasks.send_digests": {"queue": _IMPORTS},
    # The nightly end of term walks every confirmed programme whose term or post has ended.
    "programmes.tasks.close_ended_programmes": {"queue": _IMPORTS},
    "reviews.tasks.remind_reviews": {"queue": _IMPORTS},
    "reviews.tasks.notify_period_opened": {"queue": _IMPORTS},
    "publicity.tasks.remind_feedback": {"queue": _IMPORTS},
    # Finding every follower of a change (an area may have thousands) and queueing their e-mails in batches; the
    # nightly purge of follow requests never confirmed.
    "publicity.tasks.fan_out_follow_change": {"queue": _IMPORTS},
    "publicity.tasks.purge_follows": {"queue": _IMPORTS},
    # The dashboards' figures, counted ahead for every organisation: set-based sweeps over the whole tree (nightly)
    # or the subtrees the services marked. Never behind a report batch, whose December nights are long.
    "publicity.tasks.refresh_summaries": {"queue": _IMPORTS},
    "publicity.tasks.refresh_all_summaries": {"queue": _IMPORTS},
}

LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # These narrate every login attempt or rendering step at INFO; only their problems belong in the log.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
