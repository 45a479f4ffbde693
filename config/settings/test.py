"""The test suite: fast hashing, in-memory email, eager tasks unless a test runs a real worker."""

from .base import *  # noqa: F403
from .base import env
from .storage import default_storage

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process of the integration tests has its own memory: it writes its e-mails to files the test reads.
if env("TEST_EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("TEST_EMAIL_FILE_PATH")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Each test process keeps its own cache; tests/conftest.py empties it before every test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    # The file system, unless the environment names a bucket (stage 2 of `make test` gives its workers one).
    "default": default_storage(env),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 20
# Most tests sign in with force_login and no device; the second-factor tests turn the requirement on.
PORTAL_REQUIRE_SECOND_FACTOR = False
# Tests run without collectstatic: serve the files straight from static/ as the finders see them.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
