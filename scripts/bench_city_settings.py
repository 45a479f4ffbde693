"""The city-scale benchmark's server: production's settings, with the benchmark's URLconf (the portal's URLs and
the bare reference view) and no second factor for the staff session the benchmark signs in. Never deployed."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_city_urls"
# The test client's host, for the in-process query counts.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Plain HTTP on the loopback interface, as behind a TLS-terminating proxy.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PORTAL_REQUIRE_SECOND_FACTOR = False
