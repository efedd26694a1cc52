"""Shared fixtures: a fresh migrated SQLite database and an HTTPS test client per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import ROOT, Settings, get_settings

PASSWORD = "a long and quiet harbour"


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    migrate(url)
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
