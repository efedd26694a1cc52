# syntax=docker/dockerfile:1
# Therapy Check-in: SQLite under /srv/data by default, PostgreSQL via DATABASE_URL
# (compose.yaml runs it with PostgreSQL). tests/api/test_deploy.py runs this file's
# CMD and HEALTHCHECK on the host, so keep them plain shell and list-form commands.

# --- builder: the locked dependencies in /srv/.venv, nothing else -------------------
FROM python:3.11-slim AS builder
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/srv/.venv
WORKDIR /srv
# The project itself is not a package (tool.uv.package = false): the lock file is all
# uv needs, so source edits don't invalidate this layer.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev

# --- runtime: the same Python, the venv and the app's files; no uv, no build tools --
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/srv/.venv/bin:$PATH \
    ENVIRONMENT=production HOST=0.0.0.0 PORT=8000 GRACEFUL_SHUTDOWN_SECONDS=20 \
    FORWARDED_ALLOW_IPS=""
RUN useradd --create-home --uid 10001 app
WORKDIR /srv
COPY --from=builder /srv/.venv /srv/.venv
COPY alembic.ini ./
COPY migrations/ migrations/
COPY questionnaires/ questionnaires/
COPY app/ app/
RUN mkdir -p data && chown app:app data
USER app
VOLUME ["/srv/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"

# Migrate (a no-op at head), then serve with WEB_CONCURRENCY worker processes; unset or
# empty: one per core the container may use (its cgroup's CPU quota, else `nproc`; README,
# "Sizing"). `exec` makes uvicorn PID 1's replacement, so `docker stop`'s SIGTERM reaches
# it: it stops accepting, finishes requests in flight (for up to GRACEFUL_SHUTDOWN_SECONDS;
# keep the stop timeout longer) and exits.
CMD ["sh", "-c", "alembic upgrade head && cores=$(nproc) && \
  if read -r quota period < /sys/fs/cgroup/cpu.max 2>/dev/null && [ \"$quota\" != max ]; then \
    cores=$(( (quota + period - 1) / period )); fi && \
  exec uvicorn app.main:create_app --factory --workers \"${WEB_CONCURRENCY:-$cores}\" --host \"$HOST\" --port \"$PORT\" --proxy-headers --forwarded-allow-ips \"$FORWARDED_ALLOW_IPS\" --no-access-log --http h11 --h11-max-incomplete-event-size 16384 --timeout-graceful-shutdown \"$GRACEFUL_SHUTDOWN_SECONDS\""]
