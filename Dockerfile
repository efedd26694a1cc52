# Therapy Check-in: one image, SQLite by default, PostgreSQL via DATABASE_URL.
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never \
    ENVIRONMENT=production HOST=0.0.0.0 PORT=8000

RUN pip install --no-cache-dir uv && useradd --create-home --uid 10001 app
WORKDIR /srv
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY --chown=app:app . .
RUN mkdir -p data && chown app:app data

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["sh", "-c", ".venv/bin/alembic upgrade head && exec .venv/bin/uvicorn app.main:create_app --factory --host \"$HOST\" --port \"$PORT\" --proxy-headers"]
