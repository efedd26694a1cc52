"""Notes are AES-GCM encrypted at rest, read back transparently, and keys can rotate."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import cli, crypto
from app.database import make_engine
from app.main import create_app
from app.settings import Settings, get_settings
from tests.conftest import PASSWORD, signup
from tests.helpers import best_answers, post_checkin, questionnaire

NOTE = "I want to talk about the letter from my sister"


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    get_settings.cache_clear()


@pytest.fixture
def own_engine(settings: Settings) -> Iterator[Engine]:
    """An engine of the test's own on its database, for tests that make their own apps."""
    engine = make_engine(settings.DATABASE_URL)
    yield engine
    engine.dispose()


def raw_notes(engine: Engine) -> dict[str, str]:
    with Session(engine) as db:
        rows = db.exec(text("SELECT id, note FROM checkin WHERE note IS NOT NULL")).all()  # type: ignore[call-overload]
    return {row[0]: row[1] for row in rows}


def set_raw_note(engine: Engine, checkin_id: str, value: str) -> None:
    with Session(engine) as db:
        db.exec(  # type: ignore[call-overload]
            text("UPDATE checkin SET note = :v WHERE id = :id"),
            params={"v": value, "id": checkin_id},
        )
        db.commit()


def add_note(client: TestClient, note: str) -> str:
    r = post_checkin(client, best_answers(questionnaire(client)), note=note)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def client_with(settings: Settings, keys: dict[str, str], current: str = "") -> TestClient:
    configured = Settings(DATABASE_URL=settings.DATABASE_URL, NOTES_KEYS=keys, NOTES_KEY_ID=current)
    return TestClient(create_app(configured), base_url="https://testserver")


def sign_in(client: TestClient, username: str) -> None:
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text


def rotate(monkeypatch: pytest.MonkeyPatch, keys: dict[str, str], current: str) -> int:
    """`python -m app.cli rotate-notes-key` with these keys in the environment."""
    with monkeypatch.context() as env:
        env.setenv("NOTES_KEYS", json.dumps(keys))
        env.setenv("NOTES_KEY_ID", current)
        get_settings.cache_clear()
        code = cli.main(["rotate-notes-key"])
    get_settings.cache_clear()
    return code


def test_the_database_row_of_a_note_holds_no_clear_text(
    client: TestClient, user: Any, engine: Engine
) -> None:
    first, second = add_note(client, NOTE), add_note(client, NOTE)
    stored = raw_notes(engine)
    for value in stored.values():
        assert value.startswith(f"enc1:{crypto.DEV_KEY_ID}:")
        assert "letter" not in value and "sister" not in value
    assert stored[first] != stored[second]  # a fresh nonce for every value

    assert client.get(f"/api/checkins/{first}").json()["note"] == NOTE
    assert [c["note"] for c in client.get("/api/checkins").json()["items"]] == [NOTE, NOTE]
    page = BeautifulSoup(client.get(f"/checkins/{first}").text, "html.parser")
    assert page.select_one("blockquote.note").get_text() == NOTE
    assert NOTE in client.get("/talking-points").text
    # The owner's export holds the notes in clear, in both formats.
    assert {c["note"] for c in client.get("/api/export").json()["checkins"]} == {NOTE}
    assert NOTE in client.get("/api/export", params={"format": "csv"}).text


def test_keys_rotate_and_old_notes_stay_readable(
    settings: Settings, own_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    k1, k2 = crypto.new_key(), crypto.new_key()
    with client_with(settings, {"k1": k1}) as c:
        name = signup(c)["username"]
        old = add_note(c, "written under the first key")
        legacy = add_note(c, "placeholder")
    set_raw_note(own_engine, legacy, "written before encryption existed")  # a plaintext row
    assert raw_notes(own_engine)[old].startswith("enc1:k1:")

    with client_with(settings, {"k1": k1, "k2": k2}, current="k2") as c:
        sign_in(c, name)
        new = add_note(c, "written under the second key")
        assert raw_notes(own_engine)[new].startswith("enc1:k2:")
        notes = {i["id"]: i["note"] for i in c.get("/api/checkins").json()["items"]}
    assert notes == {
        old: "written under the first key",
        legacy: "written before encryption existed",
        new: "written under the second key",
    }

    assert rotate(monkeypatch, {"k1": k1, "k2": k2}, "k2") == 0
    assert all(value.startswith("enc1:k2:") for value in raw_notes(own_engine).values())
    assert rotate(monkeypatch, {"k1": k1, "k2": k2}, "k2") == 0  # again: nothing to do

    with client_with(settings, {"k2": k2}) as c:  # the first key retired
        sign_in(c, name)
        after = {i["id"]: i["note"] for i in c.get("/api/checkins").json()["items"]}
    assert after == notes


def test_a_tampered_note_reads_as_a_clear_error_and_pages_still_work(
    settings: Settings,
    own_engine: Engine,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    k1, k2 = crypto.new_key(), crypto.new_key()
    with client_with(settings, {"k1": k1, "k2": k2}, current="k1") as c:
        signup(c)
        flipped, relabelled, kept = (add_note(c, f"note {n}") for n in range(3))
        stored = raw_notes(own_engine)
        head, payload = stored[flipped].rsplit(":", 1)
        swap = "A" if payload[20] != "A" else "B"
        set_raw_note(own_engine, flipped, f"{head}:{payload[:20]}{swap}{payload[21:]}")
        # Claiming another configured key: the header is authenticated too.
        set_raw_note(own_engine, relabelled, stored[relabelled].replace("enc1:k1:", "enc1:k2:"))

        caplog.set_level(logging.WARNING)
        r = c.get(f"/api/checkins/{flipped}")
        assert r.status_code == 200
        assert r.json()["note"] == crypto.UNREADABLE
        notes = {i["id"]: i["note"] for i in c.get("/api/checkins").json()["items"]}
        assert notes == {flipped: crypto.UNREADABLE, relabelled: crypto.UNREADABLE, kept: "note 2"}
        page = BeautifulSoup(c.get(f"/checkins/{flipped}").text, "html.parser")
        assert page.select_one("blockquote.note").get_text() == crypto.UNREADABLE
        for path in ("/history", "/talking-points", "/api/export", "/"):
            assert c.get(path).status_code == 200, path

    warnings = [r for r in caplog.records if r.name == "app.crypto"]
    assert warnings and all("failed authentication" in r.reason for r in warnings)  # type: ignore[attr-defined]
    assert not any(payload in r.getMessage() for r in caplog.records)

    # Rotation leaves what it can't read alone (and says so) rather than overwrite it.
    before = raw_notes(own_engine)
    assert rotate(monkeypatch, {"k1": k1, "k2": k2}, "k2") == 1
    after = raw_notes(own_engine)
    assert after[flipped] == before[flipped] and after[relabelled] == before[relabelled]
    assert after[kept].startswith("enc1:k2:")


def test_a_note_whose_key_is_gone_reads_as_the_same_clear_error(settings: Settings) -> None:
    with client_with(settings, {"old": crypto.new_key()}) as c:
        name = signup(c)["username"]
        checkin_id = add_note(c, "under a key that will be lost")
    with client_with(settings, {"new": crypto.new_key()}) as c:
        sign_in(c, name)
        assert c.get(f"/api/checkins/{checkin_id}").json()["note"] == crypto.UNREADABLE


def test_two_apps_in_one_process_each_keep_their_own_key(settings: Settings) -> None:
    """The keys belong to an app's engine, not to the process: one app starting doesn't
    change what another, still running, reads or writes."""
    mine, other = crypto.new_key(), crypto.new_key()
    with (
        client_with(settings, {"mine": mine}) as first,
        client_with(settings, {"other": other}) as second,
    ):
        name = signup(first)["username"]
        sign_in(second, name)
        checkin_id = add_note(first, "written by the first app")
        assert second.get(f"/api/checkins/{checkin_id}").json()["note"] == crypto.UNREADABLE
        assert first.get(f"/api/checkins/{checkin_id}").json()["note"] == "written by the first app"
        later = add_note(first, "written after the second app started")
        assert (
            first.get(f"/api/checkins/{later}").json()["note"]
            == "written after the second app started"
        )


def test_production_refuses_to_start_without_notes_keys(settings: Settings) -> None:
    base = {"DATABASE_URL": settings.DATABASE_URL, "SECRET_KEY": "x" * 40}
    with pytest.raises(RuntimeError, match="NOTES_KEYS"):
        create_app(Settings(ENVIRONMENT="production", **base))
    good = {"k1": crypto.new_key()}
    assert create_app(Settings(ENVIRONMENT="production", NOTES_KEYS=good, **base))
    for keys, current in (
        ({"k1": "too-short"}, ""),
        ({"k1": crypto.new_key(), "k2": crypto.new_key()}, ""),  # which one for new notes?
        (good, "k9"),
        ({"bad id!": crypto.new_key()}, ""),
    ):
        with pytest.raises(RuntimeError):
            create_app(Settings(NOTES_KEYS=keys, NOTES_KEY_ID=current, **base))
