# The portal's image: web (gunicorn, the default command), Celery worker and beat all run from it.
# Pinned by digest, so that a rebuild uses the same base; README says how to move it forward.
FROM python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/app/media \
    GUNICORN_CMD_ARGS="--bind=0.0.0.0:8000 --workers=3 --timeout=60 --access-logfile=-"

# WeasyPrint's libraries and Vietnamese-capable fonts; gettext compiles the translation catalogues;
# postgresql-client (15, as the db service) gives `manage.py backup` and `restore` pg_dump and pg_restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core gettext \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 --shell /usr/sbin/nologin portal

WORKDIR /app
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt

COPY . .
# Build-time values only: collectstatic and compilemessages touch neither the database nor the broker.
RUN export DJANGO_SECRET_KEY=build-only CELERY_BROKER_URL=redis://build-only CACHE_URL=redis://build-only \
    && if find locale -name '*.po' 2>/dev/null | grep -q .; then \
        python manage.py compilemessages --ignore=var --verbosity 0; fi \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/media \
    && chown portal:portal /app/media

USER portal
EXPOSE 8000
CMD ["gunicorn", "config.wsgi"]
