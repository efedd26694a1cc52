"""The same flows on PostgreSQL (several app instances share one database there)."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.main import create_app
from app.settings import ROOT, Settings, get_settings
from tests.conftest import signup
from tests.helpers import best_answers, questionnaire

URL = os.environ.get("POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _reachable() -> bool:
    try:
        with create_engine(URL).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture
def pg_client(monkeypatch):
    if not _reachable():
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {URL}")
        pytest.skip("PostgreSQL not available")
    monkeypatch.setenv("DATABASE_URL", URL)
    get_settings.cache_clear()
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", URL)
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
    app = create_app(Settings(DATABASE_URL=URL))
    with TestClient(app, base_url="https://testserver") as c:
        yield c
    get_settings.cache_clear()


def test_full_flow_on_postgres(pg_client):
    c = pg_client
    signup(c, "pg_person")
    q = questionnaire(c)
    body = {
        "client_id": str(uuid.uuid4()),
        "answers": best_answers(q),
        "taken_at": "2026-04-01T10:00:00+02:00",
    }
    assert c.post("/api/checkins", json=body).status_code == 201
    assert c.post("/api/checkins", json=body).status_code == 200
    page = c.get("/api/checkins", params={"limit": 1}).json()
    assert page["items"][0]["taken_at"] == "2026-04-01T08:00:00Z" and page["next"] is None
    assert len(c.get("/api/export").json()["checkins"]) == 1
    assert c.delete("/api/account").status_code == 204
    with create_engine(URL).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM checkin")).scalar() == 0


def test_concurrent_replays_store_one_checkin(pg_client):
    signup(pg_client, "racer")
    q = questionnaire(pg_client)
    body = {"client_id": str(uuid.uuid4()), "answers": best_answers(q)}
    cookies = dict(pg_client.cookies)

    def send(_: int) -> int:
        with TestClient(pg_client.app, base_url="https://testserver", cookies=cookies) as c:
            return c.post("/api/checkins", json=body).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(send, range(6)))
    assert sorted(codes).count(201) == 1 and set(codes) <= {200, 201}
    with create_engine(URL).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM checkin")).scalar() == 1


def test_concurrent_cron_runs_send_each_reminder_once_on_postgres(pg_client, tmp_path, monkeypatch):
    from tests.api.test_reminders import FakePushService, due_now, run_cron_twice_at_once
    from tests.api.test_reminders import subscribe as push_subscribe

    monkeypatch.setenv("PUSH_SERVICE_HOSTS", '["127.0.0.1"]')
    monkeypatch.setenv("VAPID_PRIVATE_KEY_FILE", str(tmp_path / "vapid.pem"))
    get_settings.cache_clear()  # the cron command reads the environment; the app has its own
    app_settings = pg_client.app.state.settings
    monkeypatch.setattr(app_settings, "PUSH_SERVICE_HOSTS", ["127.0.0.1"])
    monkeypatch.setattr(app_settings, "VAPID_PRIVATE_KEY_FILE", tmp_path / "vapid.pem")
    service = FakePushService()
    try:
        paths = []
        for i in range(5):
            pg_client.cookies.clear()
            signup(pg_client, f"pgcron{i}")
            due_now(pg_client)
            paths.append(push_subscribe(pg_client, service, f"pg{i}"))
        run_cron_twice_at_once(URL)
        assert all(service.hits[p] == 1 for p in paths), service.hits
    finally:
        service.close()
