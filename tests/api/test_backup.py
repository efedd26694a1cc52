"""`python -m app.cli backup PATH`: a restored backup holds the same accounts and check-ins."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import cli
from app.main import create_app
from app.settings import ROOT, Settings, get_settings
from tests.conftest import signup
from tests.helpers import best_answers, post_checkin, questionnaire, with_domain
from tests.support.databases import postgres_available, postgres_database
from tests.support.migrations import migrate


def use_database(url: str, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    return TestClient(create_app(Settings(DATABASE_URL=url)), base_url="https://testserver")


def fill(client: TestClient, accounts: int = 3) -> list[dict[str, str]]:
    """A few accounts with profiles and weekly history; returns their session cookies."""
    sessions = []
    for n in range(accounts):
        client.cookies.clear()
        signup(client)
        assert client.put(
            "/api/profile",
            json={"therapy_started_on": "2025-01-06", "on_medication": False, "country": "GB"},
        ).status_code in (200, 204)
        q = questionnaire(client)
        for week in range(4 + n):
            answers = with_domain(q, best_answers(q), "heard", "worst" if week % 2 else "best")
            taken_at = datetime(2025, 2, 10, 9, tzinfo=UTC) + timedelta(weeks=week)
            r = post_checkin(client, answers, taken_at=taken_at.isoformat())
            assert r.status_code == 201, r.text
        sessions.append(dict(client.cookies))
    return sessions


def exports(client: TestClient, sessions: list[dict[str, str]]) -> list[dict[str, Any]]:
    out = []
    for cookies in sessions:
        client.cookies.clear()
        client.cookies.update(cookies)
        r = client.get("/api/export")
        assert r.status_code == 200, r.text
        body = r.json()
        body.pop("exported_at")
        body.pop("activity", None)  # grows with every export: each one is logged
        out.append(body)
    return out


def test_sqlite_backup_while_the_app_writes_restores_the_same_data(tmp_path, monkeypatch):
    live_url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate(live_url)
    target = tmp_path / "backups" / "checkin-backup.db"
    with use_database(live_url, monkeypatch) as live:
        sessions = fill(live)
        before = exports(live, sessions)

        # A busy server: another account keeps checking in while the backup runs.
        writer = TestClient(live.app, base_url="https://testserver")
        signup(writer)
        q = questionnaire(writer)
        acknowledged: list[str] = []
        stop = threading.Event()

        def keep_writing() -> None:
            while not stop.is_set():
                r = post_checkin(writer, best_answers(q))
                assert r.status_code == 201
                acknowledged.append(r.json()["client_id"])

        thread = threading.Thread(target=keep_writing)
        thread.start()
        try:
            while len(acknowledged) < 3:
                stop.wait(0.01)
            acked_before = list(acknowledged)
            done = subprocess.run(
                [sys.executable, "-m", "app.cli", "backup", str(target)],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": live_url},
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            stop.set()
            thread.join(30)
        assert done.returncode == 0, done.stderr
        assert "integrity ok" in done.stdout
        assert len(acknowledged) > len(acked_before)  # the app kept writing meanwhile

    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in db.execute("SELECT client_id FROM checkin")}
    assert set(acked_before) <= stored

    with use_database(f"sqlite:///{target}", monkeypatch) as restored:
        assert restored.get("/readyz").status_code == 200
        assert exports(restored, sessions) == before  # the old sessions work, too
    get_settings.cache_clear()


def test_backup_never_overwrites_a_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate(url)
    existing = tmp_path / "old.db"
    existing.write_bytes(b"an older backup")
    with pytest.raises(cli.BackupError, match="already exists"):
        cli.backup(url, existing)
    assert existing.read_bytes() == b"an older backup"


def test_without_pg_dump_the_command_says_how_to_back_up_postgresql(tmp_path, monkeypatch):
    monkeypatch.setattr(cli.shutil, "which", lambda _: None)
    url = "postgresql+psycopg://checkin:s3cret@db.internal:5432/checkin"
    with pytest.raises(cli.BackupError) as err:
        cli.backup(url, tmp_path / "dump")
    message = str(err.value)
    assert "pg_dump --format=custom" in message and "pg_restore" in message
    assert "postgresql://checkin@db.internal:5432/checkin" in message
    assert "s3cret" not in message


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_dump_restores_the_same_data(tmp_path, monkeypatch):
    if not (postgres_available() and shutil.which("pg_dump") and shutil.which("pg_restore")):
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL and its client tools are required")
        pytest.skip("PostgreSQL or pg_dump not available")
    dump = tmp_path / f"checkin-{uuid.uuid4().hex[:6]}.dump"
    with postgres_database() as live_url:
        with use_database(live_url, monkeypatch) as live:
            sessions = fill(live, accounts=2)
            before = exports(live, sessions)
            assert cli.main(["backup", str(dump)]) == 0
        with postgres_database(migrated=False) as empty_url:
            plain = empty_url.replace("postgresql+psycopg://", "postgresql://", 1)
            subprocess.run(
                [str(shutil.which("pg_restore")), "--no-owner", f"--dbname={plain}", str(dump)],
                check=True,
                capture_output=True,
                timeout=120,
            )
            with use_database(empty_url, monkeypatch) as restored:
                assert restored.get("/readyz").status_code == 200
                assert exports(restored, sessions) == before
    get_settings.cache_clear()
