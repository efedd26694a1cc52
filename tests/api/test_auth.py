from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import utcnow
from app.security import SESSION_COOKIE
from tests.conftest import PASSWORD, signup


def _count(engine: Engine, table: str) -> int:
    with Session(engine) as db:
        return int(db.exec(text(f"SELECT count(*) FROM {table}")).one()[0])  # type: ignore[call-overload]


def test_signup_returns_recovery_codes_and_a_secure_session_cookie(client):
    r = client.post("/api/auth/signup", json={"username": "River_Stone", "password": PASSWORD})
    assert r.status_code == 201
    body = r.json()
    assert body["username"] == "river_stone"
    assert len(body["recovery_codes"]) == 8 and len(set(body["recovery_codes"])) == 8
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    for attr in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attr.lower() in cookie.lower()
    assert "domain=" not in cookie.lower()
    assert client.get("/api/profile").json()["username"] == "river_stone"


def test_recovery_codes_and_passphrase_are_stored_hashed(client, engine):
    body = signup(client, "hashcheck")
    with Session(engine) as db:
        stored = " ".join(
            str(v)
            for row in db.exec(
                text(  # type: ignore[call-overload]
                    "SELECT a.password_hash, r.code_hash FROM account a JOIN recovery_code r "
                    "ON r.user_id = a.id"
                )
            ).all()
            for v in row
        )
    assert PASSWORD not in stored
    assert all(code not in stored for code in body["recovery_codes"])
    assert "$argon2id$" in stored


def test_signup_rejects_bad_input_and_stores_nothing(client, engine):
    cases = [
        {"username": "ab", "password": PASSWORD},
        {"username": "good_name", "password": "short"},
        {"username": "good_name"},
        {"username": "me@example.com", "password": PASSWORD},
        {"username": 12345, "password": PASSWORD},
    ]
    for body in cases:
        r = client.post("/api/auth/signup", json=body)
        assert r.status_code == 422, body
        assert "detail" in r.json()
    assert _count(engine, "account") == 0


def test_duplicate_username_is_a_conflict(client, engine):
    signup(client, "same_name")
    r = client.post("/api/auth/signup", json={"username": "SAME_name", "password": PASSWORD})
    assert r.status_code == 409
    assert _count(engine, "account") == 1


def test_login_logout_and_session_rotation(client, engine):
    signup(client, "rotator")
    first = client.cookies.get(SESSION_COOKIE)
    r = client.post("/api/auth/login", json={"username": "rotator", "password": PASSWORD})
    assert r.status_code == 200 and r.json() == {"username": "rotator"}
    second = client.cookies.get(SESSION_COOKIE)
    assert second and second != first
    assert _count(engine, "auth_session") == 1  # the old session ended at sign-in
    r = client.post("/api/auth/logout")
    assert r.status_code == 200
    assert "storage" in r.headers["clear-site-data"]
    assert client.get("/api/profile").status_code == 401
    assert _count(engine, "auth_session") == 0


def test_wrong_passphrase_is_401_and_unknown_user_looks_the_same(client):
    signup(client, "someone")
    client.cookies.clear()
    wrong = client.post("/api/auth/login", json={"username": "someone", "password": "x" * 14})
    nobody = client.post("/api/auth/login", json={"username": "nobody", "password": "x" * 14})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()


def test_login_failures_lock_the_account_with_retry_after(client, monkeypatch, settings):
    signup(client, "target")
    client.cookies.clear()
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        r = client.post("/api/auth/login", json={"username": "target", "password": "w" * 14})
        assert r.status_code == 401
    r = client.post("/api/auth/login", json={"username": "target", "password": PASSWORD})
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60
    assert "detail" in r.json()


def test_signups_per_address_are_limited(client, settings, engine):
    limit = settings.SIGNUPS_PER_HOUR_PER_ADDRESS
    for i in range(limit):
        client.cookies.clear()
        assert (
            client.post(
                "/api/auth/signup", json={"username": f"many{i}", "password": PASSWORD}
            ).status_code
            == 201
        )
    r = client.post("/api/auth/signup", json={"username": "onemore", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert _count(engine, "account") == limit


def _age_sessions(engine: Engine, column: str, days: int) -> None:
    with Session(engine) as db:
        db.exec(  # type: ignore[call-overload]
            text(f"UPDATE auth_session SET {column} = :t"),
            params={"t": utcnow() - timedelta(days=days)},
        )
        db.commit()


def test_sessions_end_after_the_idle_and_absolute_timeouts(client, settings, engine):
    signup(client, "sleeper")
    _age_sessions(engine, "last_seen_at", settings.SESSION_IDLE_DAYS - 1)
    assert client.get("/api/profile").status_code == 200  # still inside the idle window
    _age_sessions(engine, "last_seen_at", settings.SESSION_IDLE_DAYS + 1)
    assert client.get("/api/profile").status_code == 401

    client.post("/api/auth/login", json={"username": "sleeper", "password": PASSWORD})
    assert client.get("/api/profile").status_code == 200
    assert _count(engine, "auth_session") == 1  # signing in pruned the expired one
    _age_sessions(
        engine, "created_at", settings.SESSION_ABSOLUTE_DAYS + 1
    )  # used daily, but too old
    assert client.get("/api/profile").status_code == 401


def test_session_token_is_stored_only_as_a_hash(client, engine):
    signup(client, "tokenholder")
    token = client.cookies.get(SESSION_COOKIE)
    assert token and len(token) >= 32  # 256 bits, URL-safe
    with Session(engine) as db:
        rows = db.exec(text("SELECT token_hash FROM auth_session")).all()  # type: ignore[call-overload]
    assert [r[0] for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
