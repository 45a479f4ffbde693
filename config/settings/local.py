"""One machine: SQLite, the filesystem broker, emails on the console.

This is what `make run` serves to its users, so debug pages are off as anywhere else: a missing page is the
portal's own Vietnamese 404, never Django's page listing every URL pattern, and WhiteNoise serves the files
collected under var/staticfiles. Developers turn debug pages on with DJANGO_DEBUG=true (WhiteNoise then serves
the static files straight from the sources)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
