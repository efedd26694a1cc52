"""Sessions, re-authentication, passphrases and abuse limits (issue: ASVS level 2)."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.main import create_app
from app.models import utcnow
from app.security import SESSION_COOKIE
from app.settings import Settings, get_settings
from tests.conftest import PASSWORD, signup

NEW_PASSWORD = "gentle rain over the harbour wall"


def _other_device(app) -> TestClient:
    return TestClient(
        app, base_url="https://testserver", headers={"user-agent": "Firefox/130 Android"}
    )


def _login(client: TestClient, username: str, password: str = PASSWORD):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_headers_on_every_response(client, user):
    for path in ("/", "/login", "/checkin", "/history", "/settings", "/api/profile", "/healthz"):
        h = client.get(path).headers
        csp = h["content-security-policy"]
        for part in (
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "script-src 'self'",
        ):
            assert part in csp, (path, part)
        assert "unsafe-inline" not in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert "camera=()" in h["permissions-policy"]
        assert h["cache-control"] == "no-store"
        assert "strict-transport-security" not in h  # development


def test_hsts_in_production(settings):
    prod = Settings(
        DATABASE_URL=settings.DATABASE_URL,
        ENVIRONMENT="production",
        SECRET_KEY="p" * 40,
        NOTES_KEYS={"k1": "q4qhl4jOQlTjt2SOC0fZ7aXZIL2kMlMV3Xw0vo0-8UY"},
        NOTES_KEY_ID="k1",
    )
    with TestClient(create_app(prod), base_url="https://testserver") as c:
        assert "max-age=" in c.get("/healthz").headers["strict-transport-security"]


def test_a_session_ended_elsewhere_no_longer_works(app, client):
    name = signup(client)["username"]
    phone = _other_device(app)
    assert _login(phone, name).status_code == 200
    listed = client.get("/api/sessions").json()
    assert len(listed) == 2
    other = next(s for s in listed if not s["current"])
    assert other["device"] == "Firefox on Android"
    assert client.delete(f"/api/sessions/{other['id']}").status_code == 204
    assert phone.get("/api/profile").status_code == 401
    assert client.get("/api/profile").status_code == 200
    # ... and "everywhere else" ends every other one.
    assert _login(phone, name).status_code == 200
    assert client.post("/api/sessions/end-others").status_code == 200
    assert phone.get("/api/profile").status_code == 401
    assert client.delete(f"/api/sessions/{other['id']}").status_code == 404


def test_changing_the_passphrase_ends_the_other_sessions(app, client):
    name = signup(client)["username"]
    phone = _other_device(app)
    _login(phone, name)
    r = client.post(
        "/api/auth/passphrase",
        json={"current_password": "wrong one entirely", "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 422
    r = client.post(
        "/api/auth/passphrase", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 200
    assert phone.get("/api/profile").status_code == 401
    assert client.get("/api/profile").status_code == 200
    assert _login(phone, name).status_code == 401
    assert _login(phone, name, NEW_PASSWORD).status_code == 200


def _holding(app, token: str) -> TestClient:
    """Another client that presents exactly this session cookie."""
    return TestClient(app, base_url="https://testserver", cookies={SESSION_COOKIE: token})


def _form(client: TestClient, page: str, action: str) -> dict[str, str]:
    from bs4 import BeautifulSoup

    form = BeautifulSoup(client.get(page).text, "html.parser").find("form", action=action)
    return {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}


def _renewed(app, client: TestClient, old: str, r) -> None:
    """The response set a new session cookie; the old token is dead, the new one works."""
    new = r.cookies.get(SESSION_COOKIE)
    assert new and new != old and client.cookies.get(SESSION_COOKIE) == new
    assert _holding(app, old).get("/api/profile").status_code == 401
    assert _holding(app, new).get("/api/profile").status_code == 200


@pytest.mark.parametrize("where", ["api", "settings page"])
def test_changing_the_passphrase_renews_the_session_token(app, client, where):
    name = signup(client)["username"]
    old = client.cookies.get(SESSION_COOKIE)
    phone = _other_device(app)
    assert _login(phone, name).status_code == 200
    if where == "api":
        r = client.post(
            "/api/auth/passphrase",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert r.status_code == 200
    else:
        data = _form(client, "/settings", "/settings/passphrase")
        data.update(current_password=PASSWORD, new_password=NEW_PASSWORD)
        r = client.post("/settings/passphrase", data=data, follow_redirects=False)
        assert r.status_code == 303
    _renewed(app, client, old, r)
    assert phone.get("/api/profile").status_code == 401  # the others end, as before
    assert [s["current"] for s in client.get("/api/sessions").json()] == [True]


@pytest.mark.parametrize("where", ["api", "reauth page"])
def test_confirming_the_passphrase_renews_the_session_token(app, client, engine, where):
    name = signup(client)["username"]
    old = client.cookies.get(SESSION_COOKIE)
    phone = _other_device(app)
    assert _login(phone, name).status_code == 200
    _age_login(engine, 30)
    if where == "api":
        r = client.post("/api/auth/reauth", json={"password": PASSWORD})
        assert r.status_code == 200
    else:
        data = {**_form(client, "/reauth?next=/settings", "/reauth"), "password": PASSWORD}
        r = client.post("/reauth", data=data, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/settings"
    _renewed(app, client, old, r)
    assert client.get("/api/export").status_code == 200  # the new token is the recent one
    assert phone.get("/api/profile").status_code == 200  # other sessions are left alone
    # The same session, renewed: still two, and this one is the one asking.
    assert sorted(s["current"] for s in client.get("/api/sessions").json()) == [False, True]


def _age_login(engine: Engine, minutes: int) -> None:
    with Session(engine) as db:
        db.exec(
            text("UPDATE auth_session SET created_at = :t, reauthenticated_at = NULL"),  # type: ignore[call-overload]
            params={"t": utcnow() - timedelta(minutes=minutes)},
        )
        db.commit()


def test_drastic_actions_ask_for_the_passphrase_after_15_minutes(client, user, engine):
    _age_login(engine, 14)
    assert client.get("/api/export").status_code == 200
    _age_login(engine, 16)  # move the clock: the sign-in is now older than 15 minutes
    r = client.get("/api/export")
    assert r.status_code == 403 and "passphrase" in r.json()["detail"]
    assert client.delete("/api/account").status_code == 403
    page = client.get("/settings/export?format=csv", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/reauth?next=")
    assert client.post("/api/auth/reauth", json={"password": "not it at all"}).status_code == 422
    assert client.post("/api/auth/reauth", json={"password": PASSWORD}).status_code == 200
    assert client.get("/api/export").status_code == 200
    assert client.get("/api/profile").status_code == 200


def test_reauth_page_confirms_and_returns(client, user, engine):
    _age_login(engine, 30)
    r = client.get("/settings/export?format=csv")  # follows to the form
    assert r.url.path == "/reauth"
    from bs4 import BeautifulSoup

    form = BeautifulSoup(r.text, "html.parser").find("form", action="/reauth")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    data["password"] = PASSWORD
    r = client.post("/reauth", data=data)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    "weak", ["password1234", "aaaaaaaaaaaaaaa", "qwertyuiop123", "iloveyou12345"]
)
def test_common_or_guessable_passphrases_are_refused_kindly(client, weak):
    r = client.post("/api/auth/signup", json={"username": "carefulname", "password": weak})
    assert r.status_code == 422
    assert "easy to guess" in str(r.json()["detail"])


def test_passphrase_close_to_the_username_is_refused(client):
    r = client.post(
        "/api/auth/signup", json={"username": "harbourlights", "password": "harbourlights1"}
    )
    assert r.status_code == 422


def test_long_passphrases_are_fine(client):
    long = (
        "a lantern by the quiet door, two herons on the frozen canal, "
        "the smell of bread at six, and my grandmother's blue bicycle "
        "leaning on the fence behind the orchard"
    )
    assert len(long) >= 128
    r = client.post("/api/auth/signup", json={"username": "longphrase", "password": long[:256]})
    assert r.status_code == 201


def test_recovery_code_resets_the_passphrase_once_and_ends_all_sessions(app, client):
    body = signup(client)
    name, code = body["username"], body["recovery_codes"][3]
    phone = _other_device(app)
    _login(phone, name)
    stranger = _other_device(app)
    bad = stranger.post(
        "/api/auth/recover",
        json={
            "username": name,
            "recovery_code": "aaaa-bbbb-cccc-dddd",
            "new_password": NEW_PASSWORD,
        },
    )
    assert bad.status_code == 422
    r = stranger.post(
        "/api/auth/recover",
        json={
            "username": name,
            "recovery_code": code.upper().replace("-", " "),
            "new_password": NEW_PASSWORD,
        },
    )
    assert r.status_code == 200
    assert client.get("/api/profile").status_code == 401
    assert phone.get("/api/profile").status_code == 401
    assert stranger.get("/api/profile").status_code == 200
    assert _login(phone, name).status_code == 401
    assert _login(phone, name, NEW_PASSWORD).status_code == 200
    again = stranger.post(
        "/api/auth/recover",
        json={"username": name, "recovery_code": code, "new_password": "another fresh long phrase"},
    )
    assert again.status_code == 422  # each code works once


def test_failed_logins_from_one_address_across_accounts_are_limited(client, monkeypatch):
    monkeypatch.setattr(client.app.state.settings, "LOGIN_FAILURES_PER_ADDRESS", 5)
    for i in range(5):
        assert _login(client, f"nobody{i}", "wrong but long enough").status_code == 401
    r = _login(client, "nobody-else", "wrong but long enough")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_failed_sign_ins_are_in_the_activity_log(client, engine):
    name = signup(client)["username"]
    client.cookies.clear()
    _login(client, name, "wrong but long enough")
    _login(client, name)
    with Session(engine) as db:
        kinds = [r[0] for r in db.exec(text("SELECT kind FROM activity_event ORDER BY id")).all()]  # type: ignore[call-overload]
    assert kinds[-2:] == ["sign_in_failed", "sign_in"]


REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def test_limits_in_redis_hold_across_instances(settings, monkeypatch):
    if not _redis_up():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but unreachable at {REDIS_URL}")
        pytest.skip("Redis not available")
    redis.Redis.from_url(REDIS_URL).flushdb()
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    get_settings.cache_clear()
    s = Settings(DATABASE_URL=settings.DATABASE_URL, REDIS_URL=REDIS_URL)
    one, two = create_app(s), create_app(s)
    with (
        TestClient(one, base_url="https://testserver") as a,
        TestClient(two, base_url="https://testserver") as b,
    ):
        name = f"r{uuid.uuid4().hex[:8]}"
        signup(a, name)
        a.cookies.clear()
        for i in range(s.LOGIN_FAILURES_PER_ACCOUNT):
            assert _login(a if i % 2 else b, name, "wrong but long enough").status_code == 401
        r = _login(b, name)
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        with Session(two.state.db.engine) as db:  # nothing went to the database
            assert db.exec(text("SELECT count(*) FROM rate_event")).one()[0] <= 1  # type: ignore[call-overload]
    assert SESSION_COOKIE  # the module's cookie name is what both instances read


def test_wrong_passphrase_after_a_quiet_spell_is_a_quick_422(client, user, engine):
    """Refreshing last_seen must not hold the write lock the failure counter needs."""
    import time

    with Session(engine) as db:
        db.exec(  # type: ignore[call-overload]
            text("UPDATE auth_session SET last_seen_at = :t, created_at = :t"),
            params={"t": utcnow() - timedelta(minutes=20)},
        )
        db.commit()
    started = time.monotonic()
    r = client.post("/api/auth/reauth", json={"password": "definitely not the phrase"})
    assert r.status_code == 422
    assert time.monotonic() - started < 5
    assert client.delete("/api/account").status_code == 403


def test_export_cannot_be_triggered_from_another_site(client, user):
    r = client.get("/api/export", headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    assert client.get("/api/export", headers={"sec-fetch-site": "same-origin"}).status_code == 200


def test_recovery_code_is_used_at_most_once_even_at_the_same_time(app, client):
    from concurrent.futures import ThreadPoolExecutor

    body = signup(client)
    name, code = body["username"], body["recovery_codes"][0]

    def attempt(i: int) -> int:
        with TestClient(app, base_url="https://testserver") as c:
            return c.post(
                "/api/auth/recover",
                json={
                    "username": name,
                    "recovery_code": code,
                    "new_password": f"fresh long phrase number {i} by the sea",
                },
            ).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(attempt, range(4)))
    assert codes.count(200) == 1, codes


# Ids no row can have: beyond 63 bits (SQLite can't even compare with them), 0 or less, or
# not a number. The API answers 422 before any SQL; a well-formed unknown id stays a 404.
HOSTILE_IDS = [
    "2147483648",
    "9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999",
    "9" * 5000,
    "0",
]
# Not a number at all: no route takes it (a 404), so DELETE /api/sessions/end-others is a 405.
NOT_IDS = ["-1", "1.5", "0x10", "abc"]


@pytest.mark.parametrize("bad_id", HOSTILE_IDS + NOT_IDS)
def test_ending_a_session_by_an_id_no_row_can_have_is_422_and_ends_nothing(app, client, bad_id):
    name = signup(client)["username"]
    phone = _other_device(app)
    assert _login(phone, name).status_code == 200
    r = client.delete(f"/api/sessions/{bad_id}")
    assert r.status_code == (404 if bad_id in NOT_IDS else 422), r.text
    assert r.json()["detail"]
    assert len(client.get("/api/sessions").json()) == 2
    assert phone.get("/api/profile").status_code == 200
    assert client.delete(f"/api/sessions/{2**31 - 1}").status_code == 404
    phone.cookies.clear()
    if bad_id not in NOT_IDS:
        assert phone.delete(f"/api/sessions/{bad_id}").status_code == 401  # sign-in first
    assert client.delete("/api/sessions/end-others").status_code == 405


def test_a_method_a_path_does_not_take_is_a_405_naming_every_method_it_does(client):
    """Allow lists what the whole path takes, not the one route the router tried."""
    for method, path, allowed in (
        ("OPTIONS", "/api/profile", "GET, PUT"),
        ("PATCH", "/api/checkins", "GET, POST"),
        ("DELETE", "/api/passkeys/register", "POST"),
        ("PUT", "/api/safety-plan", "GET, PUT"),
    ):
        r = client.request(method, path)
        if method == "PUT":
            continue  # PUT is taken there; it only checks the list below reads the same
        assert r.status_code == 405, (method, path, r.text)
        assert r.headers["allow"] == allowed, (method, path)
        assert r.json()["detail"]
    assert client.request("DELETE", "/api/safety-plan").headers["allow"] == "GET, PUT"
