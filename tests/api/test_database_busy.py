"""A database that stays busy gives a 503 with Retry-After and stores nothing; reads and
liveness don't queue behind writers; a request never needs a second connection."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.database import Database
from app.errors import ServiceUnavailable
from app.main import create_app
from app.settings import Settings
from tests.conftest import ON_POSTGRES, PASSWORD, signup
from tests.helpers import best_answers, questionnaire
from tests.pages.helpers import csrf, get_page


def sqlite_only(test: Any) -> Any:
    """SQLite's own write lock: the PostgreSQL pass leaves these out (`-m "not sqlite"`)."""
    return pytest.mark.sqlite(pytest.mark.skipif(ON_POSTGRES, reason="SQLite only")(test))


def write_lock(settings: Settings) -> sqlite3.Connection:
    """Another process's write transaction on the same SQLite file, held until rolled back."""
    holder = sqlite3.connect(settings.DATABASE_URL.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.fixture
def impatient(settings: Settings) -> Iterator[TestClient]:
    """An app that waits only 0.3 s for SQLite's write lock."""
    app = create_app(Settings(DATABASE_URL=settings.DATABASE_URL, DB_BUSY_SECONDS=0.3))
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def _count(engine: Engine, table: str) -> int:
    with Session(engine) as db:
        return int(db.exec(text(f"SELECT count(*) FROM {table}")).one()[0])  # type: ignore[call-overload]


@sqlite_only
def test_a_write_kept_waiting_too_long_is_a_503_and_nothing_is_stored(
    impatient: TestClient, settings: Settings
) -> None:
    signup(impatient)
    answers = best_answers(questionnaire(impatient))
    body = {"client_id": str(uuid.uuid4()), "answers": answers, "note": "bring this up"}
    holder = write_lock(settings)
    try:
        started = time.monotonic()
        r = impatient.post("/api/checkins", json=body)
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503, r.text
    assert int(r.headers["retry-after"]) >= 1
    assert "try again" in r.json()["detail"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert took < 3
    assert _count(impatient.app.state.db.engine, "checkin") == 0
    # The phone's outbox sends it again with the same client_id: stored once, now.
    again = impatient.post("/api/checkins", json=body)
    assert again.status_code == 201, again.text
    assert _count(impatient.app.state.db.engine, "checkin") == 1


@sqlite_only
def test_a_busy_page_says_nothing_was_saved_and_to_go_back(
    impatient: TestClient, settings: Settings
) -> None:
    token = csrf(get_page(impatient, "/signup"), "/signup")
    holder = write_lock(settings)
    try:
        r = impatient.post(
            "/signup",
            data={"username": "someone-new", "password": PASSWORD, "csrf_token": token},
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503
    page = BeautifulSoup(r.text, "html.parser")
    assert page.h1 is not None and page.h1.get_text(strip=True) == "Busy for a moment"
    assert "Nothing was changed" in page.get_text()
    assert "go back" in page.get_text()


@sqlite_only
def test_reads_and_liveness_do_not_wait_for_a_writer(
    impatient: TestClient, settings: Settings
) -> None:
    signup(impatient)
    holder = write_lock(settings)
    try:
        started = time.monotonic()
        summary = impatient.get("/api/summary")
        health = impatient.get("/healthz")
        took = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert summary.status_code == 200, summary.text
    assert health.status_code == 200
    assert took < 1.0


def test_a_stale_last_seen_time_is_refreshed_by_a_read(client: TestClient, engine: Engine) -> None:
    signup(client)
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with Session(engine) as db:
        db.exec(text("UPDATE auth_session SET last_seen_at = :t"), params={"t": hour_ago})  # type: ignore[call-overload]
        db.commit()
    assert client.get("/api/summary").status_code == 200
    with Session(engine) as db:
        seen = db.exec(text("SELECT last_seen_at FROM auth_session")).one()[0]  # type: ignore[call-overload]
    seen = seen if isinstance(seen, datetime) else datetime.fromisoformat(str(seen))
    assert seen.replace(tzinfo=UTC) > hour_ago + timedelta(minutes=59)


def test_a_failed_sign_in_counts_although_its_request_fails(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """Kept on the request's own connection: the counter survives the rollback."""
    name = signup(client)["username"]
    client.cookies.clear()
    for _ in range(3):
        r = client.post("/api/auth/login", json={"username": name, "password": "not it at all"})
        assert r.status_code == 401
    assert _count(engine, "rate_event") >= 3 + 3  # per account and per address
    assert _count(engine, "activity_event") == 3


def test_waiting_for_a_turn_past_the_limit_is_a_503(tmp_path: Path) -> None:
    db = Database(
        Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", DB_POOL_SIZE=1, DB_WAIT_SECONDS=0.2)
    )

    async def scenario() -> None:
        async with db.slot(write=False):
            with pytest.raises(ServiceUnavailable) as caught:
                async with db.slot(write=False):
                    pass  # pragma: no cover - never reached
            assert caught.value.headers == {"Retry-After": "1"}
        async with db.slot(write=True):  # released again: the next one gets its turn
            pass

    anyio.run(scenario)
    db.dispose()


def test_liveness_says_unavailable_quickly_when_the_database_is_gone(tmp_path: Path) -> None:
    # Nothing listens on port 1: the database can't be reached.
    app = create_app(Settings(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    with TestClient(app, base_url="https://testserver") as c:
        started = time.monotonic()
        r = c.get("/healthz")
        assert time.monotonic() - started < 1.5
    assert r.status_code == 503
    assert r.json()["database"] == "unreachable"


def test_threads_may_not_outnumber_connections() -> None:
    with pytest.raises(ValueError, match="THREAD_LIMIT"):
        Settings(DB_POOL_SIZE=5, DB_MAX_OVERFLOW=2, THREAD_LIMIT=8)
    assert Settings(DB_POOL_SIZE=5, DB_MAX_OVERFLOW=2).threads == 7
