"""Passkeys on the pages: the settings list and its Remove buttons (no JavaScript), sign-in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bs4 import Tag
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import utcnow
from tests.pages.helpers import csrf, get_page, main_of, soup_of
from tests.soft_authenticator import SoftAuthenticator


def _add(client: TestClient, name: str) -> int:
    options = client.post("/api/passkeys/register/options").json()
    credential = SoftAuthenticator().create(options)
    r = client.post("/api/passkeys/register", json={"credential": credential, "name": name})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _section(client: TestClient, path: str = "/settings") -> Tag:
    section = main_of(get_page(client, path)).find("section", id="passkeys")
    assert isinstance(section, Tag)
    return section


def _age_sessions(engine: Engine, minutes: int) -> None:
    with Session(engine) as db:
        db.exec(  # type: ignore[call-overload]
            text("UPDATE auth_session SET created_at = :t"),
            params={"t": utcnow() - timedelta(minutes=minutes)},
        )
        db.commit()


def test_settings_explain_passkeys_and_offer_adding_one_with_javascript(
    client: TestClient, user: dict[str, Any]
) -> None:
    section = _section(client)
    assert section.find("h3").get_text() == "Passkeys"
    assert "haven't added a passkey" in section.get_text()
    add_box = section.find(id="passkey-add-box")
    assert add_box.has_attr("hidden")  # passkeys.js shows it where the browser can
    assert add_box.find("button", id="passkey-add").get_text() == "Add a passkey"
    assert section.find("label", attrs={"for": "f-passkey-name"}) is not None
    assert not section.find(id="passkey-add-unsupported").has_attr("hidden")


def test_a_passkey_is_listed_and_removed_with_a_plain_form(
    client: TestClient, user: dict[str, Any]
) -> None:
    passkey_id = _add(client, "Work laptop")
    section = _section(client)
    item = section.find("li", class_="passkey")
    assert "Work laptop" in item.get_text() and "Not used to sign in yet." in item.get_text()
    action = f"/settings/passkeys/{passkey_id}/remove"
    button = item.find("form", action=action).find("button")
    assert " ".join(button.get_text().split()) == "Remove the passkey Work laptop"

    token = csrf(soup_of(client.get("/settings")), action)
    r = client.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/settings?passkey=removed#passkeys-title"
    section = _section(client, r.headers["location"])
    assert "Passkey removed" in section.find(class_="notice").get_text()
    assert section.find("li", class_="passkey") is None
    again = client.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303  # a second press: already gone, no error page


def test_removing_without_a_valid_form_token_keeps_the_passkey(
    client: TestClient, user: dict[str, Any]
) -> None:
    passkey_id = _add(client, "Phone")
    r = client.post(
        f"/settings/passkeys/{passkey_id}/remove", data={"csrf_token": "x"}, follow_redirects=False
    )
    assert r.headers["location"] == "/settings?passkey=expired#passkeys-title"
    section = _section(client, r.headers["location"])
    assert "press Remove again" in section.find(class_="notice").get_text()
    assert section.find("li", class_="passkey") is not None


def test_removing_after_15_minutes_asks_for_the_passphrase_first(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    passkey_id = _add(client, "Phone")
    action = f"/settings/passkeys/{passkey_id}/remove"
    token = csrf(soup_of(client.get("/settings")), action)
    _age_sessions(engine, 16)
    r = client.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/reauth?next=%2Fsettings%2Fpasskeys%2F{passkey_id}%2Fremove"
    assert client.get("/api/passkeys").json() != []
    back = client.get(action, follow_redirects=False)  # where /reauth sends the person back
    assert back.headers["location"] == "/settings?open=security#passkeys-title"


def test_the_sign_in_page_offers_a_passkey_once_javascript_shows_it(client: TestClient) -> None:
    main = main_of(get_page(client, "/login?next=/history"))
    box = main.find(id="passkey-signin-box")
    assert box.has_attr("hidden")
    button = box.find("button", attrs={"data-passkey-signin": True})
    assert button.get_text() == "Sign in with a passkey"
    assert button["type"] == "button" and button["data-next"] == "/history"
    status = main.find(id=button["data-status"])
    assert status["role"] == "status"


def test_removing_by_an_id_no_row_can_have_is_as_for_one_already_gone(
    client: TestClient, user: dict[str, Any]
) -> None:
    passkey_id = _add(client, "Phone")
    token = csrf(soup_of(client.get("/settings")), f"/settings/passkeys/{passkey_id}/remove")
    for bad_id in ("9223372036854775808", "18446744073709551616", "9" * 5000, "0", "-1", "x"):
        action = f"/settings/passkeys/{bad_id}/remove"
        r = client.post(action, data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303, (bad_id, r.text)
        assert r.headers["location"] == "/settings?passkey=removed#passkeys-title"
        assert client.get(action, follow_redirects=False).status_code == 303
    assert _section(client).find("li", class_="passkey") is not None
