"""Scale-out: PostgreSQL, Redis, gunicorn behind a proxy. Secrets must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHE_URL, env

# Web processes and workers on several hosts must read the same cache (the stamps that invalidate the public pages):
# Redis, never the embedded default's files on one machine.
if not CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must name the Redis cache every web process and worker shares.")

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
