"""Shared fixtures: a fresh migrated database and an HTTPS test client per test.

SQLite by default: a new file per test. With TEST_DATABASE=postgres the same tests run
on PostgreSQL: one throwaway database per run (POSTGRES_ADMIN_URL names the server),
migrated once and emptied between tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from app.main import create_app
from app.settings import Settings, get_settings
from tests.support.accounts import PASSWORD
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.migrations import migrate

ON_POSTGRES = os.environ.get("TEST_DATABASE") == "postgres"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this run, dropped at the end."""
    try:
        url = create_postgres_database("checkin_test_")
    except Exception as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unusable: {exc}")
        pytest.skip("PostgreSQL not available")
    migrate(url)
    yield url
    drop_postgres_database(url)


def _empty(url: str) -> None:
    engine = create_engine(url)
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.begin() as conn:
        conn.execute(
            text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        )
    engine.dispose()


@pytest.fixture
def settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Settings:
    if ON_POSTGRES:
        url = request.getfixturevalue("postgres_url")
        _empty(url)
    else:
        url = f"sqlite:///{tmp_path / 'test.db'}"
        migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    # One connection per app: a request that ever wanted a second one while holding the
    # first would wait out DB_WAIT_SECONDS and fail, so every test also checks that.
    monkeypatch.setenv("DB_POOL_SIZE", "1")
    monkeypatch.setenv("DB_WAIT_SECONDS", "3")
    get_settings.cache_clear()
    return Settings(DATABASE_URL=url)


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture
def engine(app: Any) -> Engine:
    """The test app's own engine (`app.state.db.engine`), to look at or change rows directly.

    The app has one connection (DB_POOL_SIZE 1): close a session on it before a request.
    """
    return app.state.db.engine


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    # https: the session cookie is __Host- and Secure, which a client drops over http.
    with TestClient(app, base_url="https://testserver") as c:
        yield c
    get_settings.cache_clear()


def signup(client: TestClient, username: str | None = None) -> dict[str, Any]:
    name = username or f"user{uuid.uuid4().hex[:8]}"
    r = client.post("/api/auth/signup", json={"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture
def user(client: TestClient) -> dict[str, Any]:
    """A signed-in account (the client carries its session cookie)."""
    return signup(client)
