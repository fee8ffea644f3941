# syntax=docker/dockerfile:1
# Lode's production image: gunicorn (web), the task worker and migrations from one image.
#   docker build -t lode .
#   docker run --env-file .env lode            # web (gunicorn on :8000)
#   docker run --env-file .env lode worker     # background jobs
#   docker run --env-file .env lode migrate    # schema up to date
# Production always sets DATABASE_URL; the embedded PostgreSQL (pgserver) is not installed.
# See docs/deploy.md.

ARG PYTHON_IMAGE=python:3.12-slim

# --- builder: the dependencies, as wheels installed into a virtualenv --------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml ./
# The runtime dependencies from pyproject.toml, minus pgserver (development only). Only this
# layer depends on pyproject.toml, so code changes rebuild in seconds.
# WITH_REDIS=true adds the client for REDIS_URL (the "redis" extra).
ARG WITH_REDIS=false
RUN python -c "import os, tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; deps = [d for d in p['dependencies'] if not d.startswith('pgserver')] + (p['optional-dependencies']['redis'] if os.environ['WITH_REDIS'] == 'true' else []); print('\n'.join(deps))" > requirements.txt \
 && cat requirements.txt \
 && pip install --upgrade pip \
 && pip install --prefer-binary -r requirements.txt

# --- static: collectstatic with whitenoise's compressed, hashed storage ------------------------
FROM builder AS static
WORKDIR /app
COPY . .
# Settings need a SECRET_KEY and a DATABASE_URL to import; neither is used (no connection).
RUN DEBUG=false \
    SECRET_KEY=collectstatic-build-only-not-a-secret \
    DATABASE_URL=postgres://build@127.0.0.1:1/build \
    python manage.py collectstatic --noinput --verbosity 1

# --- runtime: slim, no compilers, no root ------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    PORT=8000 \
    BEHIND_PROXY=true
RUN groupadd --system --gid 10001 lode \
 && useradd --system --uid 10001 --gid lode --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin lode
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --chown=root:root . .
COPY --from=static --chown=root:root /app/staticfiles /app/staticfiles
# Code and static files belong to root and are read-only for the app user.
RUN python -m compileall -q /app/portal /app/ideas \
 && chmod 0755 /app/bin/docker-entrypoint /app/bin/healthcheck
USER lode:lode
EXPOSE 8000
# Liveness: gunicorn answers and the database answers (GET /healthz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/app/bin/healthcheck", "/healthz"]
ENTRYPOINT ["/app/bin/docker-entrypoint"]
CMD ["web"]
