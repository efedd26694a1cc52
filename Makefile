# Everything a fresh machine with Python 3.11+ needs: `make run`, `make test`.
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: run test test-postgres setup migrate lint bench clean

run: migrate
	$(UV) run uvicorn app.main:create_app --factory --host $(HOST) --port $(PORT) --proxy-headers

test: setup lint
	$(UV) run pytest
	TEST_DATABASE=postgres $(UV) run pytest tests/api tests/pages

# The database-facing tests again on PostgreSQL (skipped where none runs, unless
# REQUIRE_POSTGRES=1), in a throwaway database on POSTGRES_ADMIN_URL's server.
test-postgres: setup
	TEST_DATABASE=postgres $(UV) run pytest tests/api tests/pages

setup: $(UV)
	$(UV) sync --frozen --quiet

# uv itself, installed from PyPI into a private folder when the machine lacks it.
.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

migrate: setup
	$(UV) run alembic upgrade head

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy app

bench: setup
	$(UV) run python bench/checkin_bench.py

clean:
	rm -rf .tools .venv data/*.db*
