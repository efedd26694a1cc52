"""Deleting an account leaves nothing of it in any table, found by walking the schema.

Every table the database has (read by SQLAlchemy inspection, so a table added later is
walked too) must hold a row of the account before it is deleted, and none after. On
SQLite, not a byte of its text stays in the database file, its -wal or its -shm either.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.database import checkpoint
from app.models import CheckIn
from app.security import keyed_hash
from app.settings import Settings, get_settings
from tests.conftest import ON_POSTGRES, PASSWORD, signup
from tests.helpers import best_answers, post_checkin, questionnaire, risk_answers
from tests.pages.helpers import get_page, hidden, shared_path

NOTE = "my very private words about my brother"
GOALS = "a goal nobody else should ever read"
OWN = "an own point that must vanish"
NAME = "Quillon the leaver"


def _rows(db: Session, sql: str, **params: Any) -> list[Any]:
    return list(db.exec(text(sql), params=params).all())  # type: ignore[call-overload]


def _fk_columns(engine: Engine, table: str, referred: str) -> list[str]:
    fks = inspect(engine).get_foreign_keys(table)
    return [c for fk in fks if fk["referred_table"] == referred for c in fk["constrained_columns"]]


def _synthetic_row(engine: Engine, table_name: str, user_id: int) -> None:
    """A row for a table the app gives no simple way to fill here (values by column type)."""
    table = SQLModel.metadata.tables[table_name]
    by_type: dict[type, Any] = {
        bool: False,
        int: 1,
        datetime: datetime.now(UTC),
        dict: {},
        bytes: b"\x01",
        str: f"https://push.example/{uuid.uuid4().hex}",
    }
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key and column.autoincrement in (True, "auto"):
            continue
        kind = getattr(column.type, "impl", column.type).python_type
        values[column.name] = user_id if column.name == "user_id" else by_type[kind]
        if kind is str and getattr(column.type, "length", None):
            values[column.name] = values[column.name][: column.type.length]  # type: ignore[attr-defined]
    with Session(engine) as db:
        db.exec(table.insert().values(**values))  # type: ignore[call-overload]
        db.commit()


def _fill_everything(client: TestClient) -> dict[str, Any]:
    signup(client, "leaver")
    client.post("/api/auth/login", json={"username": "leaver", "password": PASSWORD})
    client.post("/api/auth/login", json={"username": "leaver", "password": "wrong passphrase"})
    q = questionnaire(client)
    client.put("/api/profile", json={"goals": GOALS, "country": "GB", "display_name": NAME})
    plan = {"reasons": [GOALS], "people": [{"name": "Sam", "phone": "07700 900123"}]}
    assert client.put("/api/safety-plan", json=plan).status_code == 200
    post_checkin(client, best_answers(q), note=NOTE, taken_at="2026-05-01T08:00:00Z")
    post_checkin(client, risk_answers(q), note=NOTE + " again")
    link = _share_sheet(client, OWN)
    with TestClient(client.app, base_url="https://testserver") as visitor:
        assert visitor.get(f"/shared/{link}").status_code == 200
    with Session(client.app.state.db.engine) as db:
        (user_id,) = _rows(db, "SELECT id FROM account WHERE username = 'leaver'")[0]
        checkin_ids = [
            r[0] for r in _rows(db, "SELECT id FROM checkin WHERE user_id = :u", u=user_id)
        ]
        hashes = [
            r[0]
            for r in _rows(db, "SELECT token_hash FROM share_link WHERE user_id = :u", u=user_id)
        ]
    return {
        "user_id": user_id,
        "checkin_ids": checkin_ids,
        "secrets": [NOTE, GOALS, OWN, NAME, "leaver", *hashes],
    }


def _share_sheet(client: TestClient, own: str) -> str:
    """Tick everything on the talking-points sheet, add `own`, and share it: the token."""
    soup = get_page(client, "/talking-points")
    form = soup.find("form", action="/talking-points")
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "checkin_id": hidden(form, "checkin_id"),
        "include": [str(b["value"]) for b in form.select("input.pick")],
        "own_new": [own],
        "action": "share",
        "days": "14",
    }
    r = client.post("/talking-points", data=data)
    assert r.status_code == 201
    return shared_path(r).removeprefix("/shared/")


def _owned_counts(
    engine: Engine, user_id: int, checkin_ids: list[str], username_key: str
) -> dict[str, int]:
    """Rows per table that point at the account (by foreign key, id or keyed username)."""
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    # Read the schema first: the session below holds the app's only test connection.
    fks = {(t, r): _fk_columns(engine, t, r) for t in tables for r in ("account", "checkin")}
    counts: dict[str, int] = {}
    with Session(engine) as db:
        for table in tables:
            n = 0
            if table == "account":
                n += _rows(db, "SELECT count(*) FROM account WHERE id = :u", u=user_id)[0][0]
            for column in fks[table, "account"]:
                n += _rows(db, f"SELECT count(*) FROM {table} WHERE {column} = :u", u=user_id)[0][0]
            for column in fks[table, "checkin"]:
                for cid in checkin_ids:
                    n += _rows(db, f"SELECT count(*) FROM {table} WHERE {column} = :c", c=cid)[0][0]
            if table == "rate_event":
                n += _rows(db, "SELECT count(*) FROM rate_event WHERE key = :k", k=username_key)[0][
                    0
                ]
            counts[table] = n
    return counts


def _dump(engine: Engine, table: str) -> str:
    with Session(engine) as db:
        return " ".join(str(row) for row in _rows(db, f"SELECT * FROM {table}"))


def test_deleting_an_account_leaves_nothing_in_any_table(
    client: TestClient, engine: Engine
) -> None:
    signup(client, "keeper")
    post_checkin(client, best_answers(questionnaire(client)), note="the keeper's note")
    client.cookies.clear()
    found = _fill_everything(client)
    user_id = found["user_id"]
    key = keyed_hash(get_settings().SECRET_KEY, "login-fail:leaver")

    counts = _owned_counts(engine, user_id, found["checkin_ids"], key)
    for table, n in counts.items():
        if n == 0 and _fk_columns(engine, table, "account"):
            _synthetic_row(
                engine, table, user_id
            )  # e.g. a push subscription (needs a real browser)
    counts = _owned_counts(engine, user_id, found["checkin_ids"], key)
    assert all(counts.values()), (
        f"no data of the account in: {[t for t, n in counts.items() if not n]}"
    )
    assert {"checkin", "auth_session", "recovery_code", "share_link", "talking_selection"} <= set(
        counts
    )

    soup = get_page(client, "/settings")
    form = soup.find("form", action="/settings/delete")
    wrong = {"csrf_token": hidden(form, "csrf_token"), "password": "not it", "confirm": "yes"}
    assert client.post("/settings/delete", data=wrong).status_code == 422
    right = {**wrong, "password": PASSWORD}
    assert client.post("/settings/delete", data=right).status_code == 200

    assert _owned_counts(engine, user_id, found["checkin_ids"], key) == dict.fromkeys(counts, 0)
    for table in counts:
        dump = _dump(engine, table)
        for secret in found["secrets"]:
            assert secret not in dump, (table, secret)
    with Session(engine) as db:  # the other account's note stays (encrypted at rest)
        assert [row.note for row in db.exec(select(CheckIn))] == ["the keeper's note"]
    assert client.get("/api/profile").status_code == 401


# Distinctive text in each place an account keeps some. Notes and the safety plan are
# encrypted at rest, but the share link's snapshot holds the chosen note in clear.
ON_DISK = {
    "goals": "goalsmark-7Q2F walk by the river on Sundays",
    "display_name": "Namemark Xq4T",
    "safety_plan": "planmark-K4DW my reason to stay",
    "note": "notemark-Z9RB words for my eyes only",
    "own_point": "ownmark-P3HV a point of my own",
}


def _files(settings: Settings) -> dict[str, bytes]:
    """The raw bytes of the SQLite database and the files beside it."""
    db = Path(str(make_url(settings.DATABASE_URL).database))
    return {
        name: path.read_bytes() if path.exists() else b""
        for name, path in ((db.name + s, Path(f"{db}{s}")) for s in ("", "-wal", "-shm"))
    }


def _where(files: dict[str, bytes], text: str) -> list[str]:
    return [name for name, data in files.items() if text.encode() in data]


@pytest.mark.sqlite
@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's files (PostgreSQL: SECURITY.md, Deletion)")
# Through the API with the text already copied into the database file; through the
# Settings form with it still only in the -wal file.
@pytest.mark.parametrize(("way", "in_file"), [("api", True), ("settings form", False)])
def test_a_deleted_account_leaves_no_text_on_disk(
    client: TestClient, engine: Engine, settings: Settings, way: str, in_file: bool
) -> None:
    signup(client, "stayer")
    client.put("/api/profile", json={"goals": "stayermark goals that must remain"})
    client.cookies.clear()
    signup(client, "goner")
    q = questionnaire(client)
    profile = {"goals": ON_DISK["goals"], "display_name": ON_DISK["display_name"]}
    assert client.put("/api/profile", json=profile).status_code == 200
    plan = {"reasons": [ON_DISK["safety_plan"]], "people": [{"name": "Sam", "phone": "0770"}]}
    assert client.put("/api/safety-plan", json=plan).status_code == 200
    assert post_checkin(client, best_answers(q), note=ON_DISK["note"]).status_code == 201
    _share_sheet(client, ON_DISK["own_point"])
    if in_file:
        assert checkpoint(engine)

    before = {name: _where(_files(settings), text) for name, text in ON_DISK.items()}
    # The test can fail: what is stored in clear (the note via the share link's snapshot)
    # is on disk before the deletion. The safety plan is only ever stored encrypted.
    assert all(before[name] for name in ("goals", "display_name", "note", "own_point")), before
    assert before["safety_plan"] == [], before
    assert all(("test.db" in where) == in_file for where in before.values() if where), before

    if way == "api":
        assert client.delete("/api/account").status_code == 204
    else:
        form = get_page(client, "/settings").find("form", action="/settings/delete")
        data = {"csrf_token": hidden(form, "csrf_token"), "password": PASSWORD, "confirm": "yes"}
        assert client.post("/settings/delete", data=data).status_code == 200

    files = _files(settings)
    after = {name: _where(files, text) for name, text in ON_DISK.items()}
    assert not any(after.values()), after
    assert files["test.db-wal"] == b""  # checkpointed and truncated
    assert _where(files, "stayermark goals that must remain") == ["test.db"]  # not a wipe
    r = client.post("/api/auth/login", json={"username": "stayer", "password": PASSWORD})
    assert r.status_code == 200
    assert client.get("/api/profile").json()["goals"] == "stayermark goals that must remain"


@pytest.mark.sqlite
@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's WAL checkpoint")
def test_a_checkpoint_kept_busy_by_a_reader_never_fails_the_deletion(
    client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    signup(client)
    assert client.put("/api/profile", json={"goals": ON_DISK["goals"]}).status_code == 200
    reader = sqlite3.connect(str(make_url(settings.DATABASE_URL).database))
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM account").fetchone()  # holds its snapshot
        with caplog.at_level(logging.WARNING, logger="app.database"):
            assert client.delete("/api/account").status_code == 204
        assert "checkpoint after a deletion stayed busy" in caplog.text
    finally:
        reader.close()
    assert client.get("/api/profile").status_code == 401  # deleted all the same
    # The next deletion's checkpoint (or any later complete one) finishes the job.
    signup(client)
    assert client.delete("/api/account").status_code == 204
    assert _where(_files(settings), ON_DISK["goals"]) == []
