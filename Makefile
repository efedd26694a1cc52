# Everything a fresh machine with Python 3.11+ needs: `make run`, `make test`.
HOST ?= 127.0.0.1
PORT ?= 8000
# Proxies whose X-Forwarded-For uvicorn believes (README, Settings); empty: none.
FORWARDED_ALLOW_IPS ?=
# Worker processes for `make run`: one per core unless WEB_CONCURRENCY says (README, "Sizing").
WEB_CONCURRENCY := $(or $(WEB_CONCURRENCY),$(shell nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1))
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: run test test-postgres setup migrate lint bench bench-load bench-burst bench-growth bench-durability clean

# h11: a request head still incomplete past 16 KB gets a 400, so no connection piles up
# headers; the app's edge (app/middleware.py) bounds bodies.
run: migrate
	$(UV) run uvicorn app.main:create_app --factory --workers $(WEB_CONCURRENCY) --host $(HOST) --port $(PORT) --proxy-headers --forwarded-allow-ips '$(FORWARDED_ALLOW_IPS)' --no-access-log --http h11 --h11-max-incomplete-event-size 16384

test: setup lint
	$(UV) run pytest
	TEST_DATABASE=postgres $(UV) run pytest tests/api tests/pages -m "not own_databases and not sqlite"

# The database-facing tests again on PostgreSQL (skipped where none runs, unless
# REQUIRE_POSTGRES=1), in a throwaway database on POSTGRES_ADMIN_URL's server.
test-postgres: setup
	TEST_DATABASE=postgres $(UV) run pytest tests/api tests/pages -m "not own_databases and not sqlite"

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
	$(UV) run python -m bench.checkin_bench

# Live-server benches (figures, not tests); pass options with e.g. BENCH_ARGS="--db sqlite".
# bench-load: wrk against one uvicorn worker started as `run` starts it: bare FastAPI, a lean
# insert, submits, pages, paced latency, 10/52/520 check-ins, aged sessions, two workers, on
# SQLite and PostgreSQL, in one table (BENCH_ARGS="--compare ../other-checkout --seconds 10"
# puts another checkout beside this one; --profile shows where a submit's time goes).
bench-load: setup
	@command -v wrk >/dev/null || { echo "bench-load needs wrk: apt-get install -y wrk" >&2; exit 1; }
	$(UV) run python -m bench.load $(BENCH_ARGS)

bench-burst: setup
	$(UV) run python -m bench.burst $(BENCH_ARGS)

bench-growth: setup
	$(UV) run python -m bench.growth $(BENCH_ARGS)

# 50 x kill -9 under concurrent writers on SQLite and PostgreSQL (tests/api/test_durability.py runs 10).
bench-durability: setup
	$(UV) run python -m bench.durability $(BENCH_ARGS)

clean:
	rm -rf .tools .venv data/*.db*
