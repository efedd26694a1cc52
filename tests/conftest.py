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
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.main import create_app
from app.settings import ROOT, Settings, get_settings

PASSWORD = "a long and quiet harbour"


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")


ON_POSTGRES = os.environ.get("TEST_DATABASE") == "postgres"
POSTGRES_ADMIN_URL = os.environ.get(
    "POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this run, dropped at the end."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"checkin_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unusable: {exc}")
        pytest.skip("PostgreSQL not available")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
