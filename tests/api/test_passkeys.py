"""Passkeys through the JSON API, answered by a software authenticator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import utcnow
from app.services import ratelimit
from app.settings import Settings, get_settings
from tests.conftest import PASSWORD, signup
from tests.soft_authenticator import SoftAuthenticator, b64


def _sql(engine: Engine, query: str, **params: Any) -> list[Any]:
    with Session(engine) as db:
        result = db.exec(text(query), params=params)  # type: ignore[call-overload]
        rows = list(result.all()) if result.returns_rows else []
        db.commit()
    return rows


def _add(client: TestClient, key: SoftAuthenticator, name: str | None = "My phone") -> Any:
    options = client.post("/api/passkeys/register/options")
    assert options.status_code == 200, options.text
    return client.post(
        "/api/passkeys/register", json={"credential": key.create(options.json()), "name": name}
    )


def _sign_in_options(client: TestClient) -> dict[str, Any]:
    r = client.post("/api/auth/passkey/options")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _sign_in(client: TestClient, credential: dict[str, Any]) -> Any:
    return client.post("/api/auth/passkey", json={"credential": credential})


def _tampered(credential: dict[str, Any]) -> dict[str, Any]:
    response = {**credential["response"], "signature": b64(b"\x30\x06\x02\x01\x01\x02\x01\x01")}
    return {**credential, "response": response}


def test_add_sign_in_with_and_remove_a_passkey(client, engine):
    account = signup(client)
    key = SoftAuthenticator()
    options = client.post("/api/passkeys/register/options").json()
    assert options["rp"]["id"] == "testserver"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["user"]["name"] == account["username"]
    assert len(options["user"]["id"]) == 43  # 32 bytes, an HMAC: not the account number
    added = client.post(
        "/api/passkeys/register", json={"credential": key.create(options), "name": "  My  phone "}
    )
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "My phone"
    assert added.json()["last_used_at"] is None

    client.post("/api/auth/logout")
    assert client.get("/api/profile").status_code == 401
    options = _sign_in_options(client)
    assert options["allowCredentials"] == []  # discoverable: no username asked
    signed = _sign_in(client, key.get(options))
    assert signed.status_code == 200, signed.text
    assert signed.json() == {"username": account["username"]}
    assert "__Host-session=" in signed.headers["set-cookie"]
    assert client.get("/api/profile").status_code == 200

    [listed] = client.get("/api/passkeys").json()
    assert listed["name"] == "My phone" and listed["last_used_at"] is not None
    assert _sql(engine, "SELECT sign_count FROM passkey") == [(1,)]
    kinds = [r[0] for r in _sql(engine, "SELECT kind FROM activity_event ORDER BY id")]
    assert "passkey_added" in kinds and "sign_in_passkey" in kinds

    assert client.delete(f"/api/passkeys/{listed['id']}").status_code == 204  # fresh sign-in
    assert client.get("/api/passkeys").json() == []
    assert "passkey_removed" in [r[0] for r in _sql(engine, "SELECT kind FROM activity_event")]
    assert _sign_in(client, key.get(_sign_in_options(client))).status_code == 401


def test_a_passkey_is_named_after_the_device_when_no_name_is_given(client):
    signup(client)
    added = _add(client, SoftAuthenticator(), name=None)
    assert added.status_code == 201
    assert added.json()["name"]  # "A browser" for the test client, "Chrome on Android" on a phone


def test_without_a_session_nothing_is_allowed(client):
    assert client.get("/api/passkeys").status_code == 401
    assert client.post("/api/passkeys/register/options").status_code == 401
    assert client.delete("/api/passkeys/1").status_code == 401
    body = {"credential": SoftAuthenticator().create({"user": {"id": "AA"}, "challenge": "AA"})}
    r = client.post("/api/passkeys/register", json=body)
    assert r.status_code == 401 and r.json()["detail"]


def test_a_stale_login_must_confirm_the_passphrase_to_manage_passkeys(client, engine):
    signup(client)
    key = SoftAuthenticator()
    passkey_id = _add(client, key).json()["id"]
    _sql(engine, "UPDATE auth_session SET created_at = :t", t=utcnow() - timedelta(minutes=16))
    r = client.post("/api/passkeys/register/options")
    assert r.status_code == 403 and "passphrase" in r.json()["detail"]
    assert client.delete(f"/api/passkeys/{passkey_id}").status_code == 403
    assert client.get("/api/passkeys").status_code == 200  # reading the list is fine
    assert client.post("/api/auth/reauth", json={"password": PASSWORD}).status_code == 200
    assert client.post("/api/passkeys/register/options").status_code == 200
    assert client.delete(f"/api/passkeys/{passkey_id}").status_code == 204


def test_a_passkey_sign_in_counts_as_a_fresh_login(client, engine):
    signup(client)
    key = SoftAuthenticator()
    _add(client, key)
    _sql(engine, "UPDATE auth_session SET created_at = :t", t=utcnow() - timedelta(minutes=16))
    assert client.post("/api/passkeys/register/options").status_code == 403
    assert _sign_in(client, key.get(_sign_in_options(client))).status_code == 200
    assert client.post("/api/passkeys/register/options").status_code == 200
    assert _sql(engine, "SELECT count(*) FROM auth_session") == [
        (1,)
    ]  # the old token was rotated out


def test_bad_and_unknown_assertions_are_refused_and_counted(
    client, settings: Settings, engine: Engine
):
    account = signup(client)
    key = SoftAuthenticator()
    _add(client, key)
    client.post("/api/auth/logout")
    failures = ratelimit.key(settings, "login-fail", account["username"])

    r = _sign_in(client, _tampered(key.get(_sign_in_options(client))))
    assert r.status_code == 401 and "passkey" in r.json()["detail"]
    assert _sql(engine, "SELECT count(*) FROM rate_event WHERE key = :k", k=failures) == [(1,)]
    assert "sign_in_failed" in [r[0] for r in _sql(engine, "SELECT kind FROM activity_event")]

    stranger = SoftAuthenticator()  # never added anywhere
    stranger.user_handle = key.user_handle
    assert _sign_in(client, stranger.get(_sign_in_options(client))).status_code == 401
    elsewhere = SoftAuthenticator(origin="https://evil.example")
    elsewhere.key, elsewhere.credential_id = key.key, key.credential_id
    elsewhere.user_handle, elsewhere.sign_count = key.user_handle, 50
    assert _sign_in(client, elsewhere.get(_sign_in_options(client))).status_code == 401
    other_handle = key.get(_sign_in_options(client))
    other_handle["response"]["userHandle"] = b64(b"someone else")
    assert _sign_in(client, other_handle).status_code == 401
    garbage = {**key.get({"challenge": "AA"}), "response": {"clientDataJSON": "%%%"}}
    assert _sign_in(client, garbage).status_code == 401
    assert _sql(engine, "SELECT count(*) FROM rate_event WHERE key = :k", k=failures) == [(4,)]
    assert client.get("/api/profile").status_code == 401
    assert _sign_in(client, {"id": "x"}).status_code == 422  # not a credential at all


def test_failed_passkeys_lock_the_account_like_wrong_passphrases(client, settings: Settings):
    signup(client)
    key = SoftAuthenticator()
    _add(client, key)
    client.post("/api/auth/logout")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert _sign_in(client, _tampered(key.get(_sign_in_options(client)))).status_code == 401
    r = _sign_in(client, key.get(_sign_in_options(client)))
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_a_challenge_works_once(client, engine):
    signup(client)
    key = SoftAuthenticator()
    options = client.post("/api/passkeys/register/options").json()
    credential = key.create(options)
    assert client.post("/api/passkeys/register", json={"credential": credential}).status_code == 201
    again = client.post("/api/passkeys/register", json={"credential": credential})
    assert again.status_code == 422 and again.json()["detail"]
    assert _sql(engine, "SELECT count(*) FROM passkey") == [(1,)]

    client.post("/api/auth/logout")
    assertion = key.get(_sign_in_options(client))
    assert _sign_in(client, assertion).status_code == 200
    assert _sign_in(client, assertion).status_code == 401  # replayed

    options = _sign_in_options(client)
    assert _sign_in(client, _tampered(key.get(options))).status_code == 401
    assert _sign_in(client, key.get(options)).status_code == 401  # spent by the failed try


def test_challenges_expire_after_five_minutes(client, engine):
    signup(client)
    key = SoftAuthenticator()
    _add(client, key)
    options = _sign_in_options(client)
    _sql(engine, "UPDATE webauthn_challenge SET created_at = :t", t=utcnow() - timedelta(minutes=6))
    assert _sign_in(client, key.get(options)).status_code == 401
    options = _sign_in_options(client)  # making a challenge clears out the expired ones
    assert _sql(engine, "SELECT challenge FROM webauthn_challenge") == [(options["challenge"],)]


def test_a_registration_must_come_from_this_site(client, engine):
    signup(client)
    options = client.post("/api/passkeys/register/options").json()
    credential = SoftAuthenticator(origin="https://evil.example").create(options)
    r = client.post("/api/passkeys/register", json={"credential": credential})
    assert r.status_code == 422 and "wasn't added" in r.json()["detail"]
    assert _sql(engine, "SELECT count(*) FROM passkey") == [(0,)]


def test_another_accounts_passkey_cannot_be_seen_or_removed(app, client):
    signup(client)
    mine = _add(client, SoftAuthenticator()).json()["id"]
    with TestClient(app, base_url="https://testserver") as other:
        signup(other)
        assert other.get("/api/passkeys").json() == []
        r = other.delete(f"/api/passkeys/{mine}")
        assert r.status_code == 404 and r.json()["detail"]
    assert [k["id"] for k in client.get("/api/passkeys").json()] == [mine]


def test_the_relying_party_can_be_set(app, monkeypatch):
    monkeypatch.setattr(app.state.settings, "WEBAUTHN_RP_ID", "example.org")
    monkeypatch.setattr(app.state.settings, "WEBAUTHN_ORIGINS", ["https://checkin.example.org"])
    with TestClient(app, base_url="https://checkin.example.org") as c:
        signup(c)
        options = c.post("/api/passkeys/register/options").json()
        assert options["rp"] == {"id": "example.org", "name": "Therapy Check-in"}
        key = SoftAuthenticator(rp_id="example.org", origin="https://checkin.example.org")
        r = c.post("/api/passkeys/register", json={"credential": key.create(options)})
        assert r.status_code == 201, r.text
        wrong = SoftAuthenticator(rp_id="example.org", origin="https://example.org")
        options = c.post("/api/passkeys/register/options").json()
        r = c.post("/api/passkeys/register", json={"credential": wrong.create(options)})
        assert r.status_code == 422  # an origin not in WEBAUTHN_ORIGINS
    get_settings.cache_clear()


def test_removing_a_passkey_by_an_id_no_row_can_have_is_422_and_removes_nothing(client):
    signup(client)
    _add(client, SoftAuthenticator())
    for bad_id in ("2147483648", "9223372036854775808", "18446744073709551616", "9" * 5000, "0"):
        r = client.delete(f"/api/passkeys/{bad_id}")
        assert r.status_code == 422, (bad_id, r.text)
        assert r.json()["detail"]
    for not_an_id in ("-1", "x"):  # no route takes it
        assert client.delete(f"/api/passkeys/{not_an_id}").status_code == 404
    assert client.delete("/api/passkeys/register").status_code == 405
    assert len(client.get("/api/passkeys").json()) == 1
    assert client.delete(f"/api/passkeys/{2**31 - 1}").status_code == 404
