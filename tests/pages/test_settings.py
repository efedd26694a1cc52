"""Settings: profile, export links, deleting the account."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD
from tests.pages.helpers import csrf, get_page, main_of, set_profile, soup_of


def _profile(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/api/profile").json())


def test_settings_page_has_profile_export_and_delete(
    client: TestClient, user: dict[str, Any]
) -> None:
    main = main_of(get_page(client, "/settings"))
    assert main.find("input", attrs={"name": "therapy_started_on", "type": "date"}) is not None
    options = [
        o["value"] for o in main.find("select", attrs={"name": "country"}).find_all("option")
    ]
    assert "GB" in options and options[-1] == "OTHER"
    assert (
        main.find("a", href="/settings/export?format=json").get_text()
        == "Download everything (JSON)"
    )
    assert main.find("a", href="/settings/export?format=csv").get_text() == "Spreadsheet (CSV)"
    assert (
        main.find("form", action="/settings/delete").find(
            "input", attrs={"type": "checkbox", "name": "confirm"}
        )
        is not None
    )


def test_profile_form_updates_the_profile(client: TestClient, user: dict[str, Any]) -> None:
    r = set_profile(client, therapy_started_on="2026-01-05", on_medication="yes", country="GB")
    assert r.status_code == 303
    assert r.headers["location"] == "/settings?saved=profile"
    assert _profile(client) == {
        "username": user["username"],
        "therapy_started_on": "2026-01-05",
        "on_medication": True,
        "country": "GB",
        "goals": None,
        "display_name": None,
    }
    soup = get_page(client, r.headers["location"])
    assert soup.find(class_="notice ok") is not None
    assert soup.find("input", attrs={"name": "therapy_started_on"})["value"] == "2026-01-05"
    assert soup.find("option", selected=True)["value"] == "GB"
    assert soup.find("input", attrs={"name": "on_medication", "value": "yes"}).has_attr("checked")


def test_future_start_date_is_an_inline_error_and_nothing_is_saved(
    client: TestClient, user: dict[str, Any]
) -> None:
    future = (date.today() + timedelta(days=30)).isoformat()
    r = set_profile(client, therapy_started_on=future, country="GB")
    assert r.status_code == 422
    soup = soup_of(r)
    assert soup.find(id="err-therapy_started_on") is not None
    field = soup.find("input", attrs={"name": "therapy_started_on"})
    assert field["value"] == future
    assert "err-therapy_started_on" in field["aria-describedby"].split()
    assert _profile(client)["therapy_started_on"] is None
    assert _profile(client)["country"] != "GB"


def test_bad_date_is_an_inline_error(client: TestClient, user: dict[str, Any]) -> None:
    r = set_profile(client, therapy_started_on="last spring")
    assert r.status_code == 422
    assert soup_of(r).find(id="err-therapy_started_on") is not None


def _delete(client: TestClient, password: str, confirm: bool = True) -> Any:
    token = csrf(get_page(client, "/settings"), "/settings/delete")
    data = {"csrf_token": token, "password": password}
    if confirm:
        data["confirm"] = "yes"
    return client.post("/settings/delete", data=data)


def test_delete_with_wrong_passphrase_is_refused(client: TestClient, user: dict[str, Any]) -> None:
    r = _delete(client, "not my passphrase at all")
    assert r.status_code == 422
    assert "Nothing was deleted" in soup_of(r).find(id="err-password").get_text()
    assert client.get("/api/profile").status_code == 200


def test_delete_needs_the_box_ticked(client: TestClient, user: dict[str, Any]) -> None:
    r = _delete(client, PASSWORD, confirm=False)
    assert r.status_code == 422
    assert soup_of(r).find(id="err-confirm") is not None
    assert client.get("/api/profile").status_code == 200


def test_delete_with_the_passphrase_removes_everything(
    client: TestClient, user: dict[str, Any]
) -> None:
    r = _delete(client, PASSWORD)
    assert r.status_code == 200
    assert r.headers["clear-site-data"] == '"cache", "storage"'
    assert "gone" in main_of(soup_of(r)).find("h1").get_text()
    assert client.get("/settings", follow_redirects=False).status_code == 303
    login = client.post(
        "/api/auth/login", json={"username": user["username"], "password": PASSWORD}
    )
    assert login.status_code == 401


def test_ending_a_session_by_an_id_no_row_can_have_is_as_for_one_already_gone(
    app: Any, client: TestClient, user: dict[str, Any]
) -> None:
    with TestClient(app, base_url="https://testserver") as phone:
        login = {"username": user["username"], "password": PASSWORD}
        assert phone.post("/api/auth/login", json=login).status_code == 200
        token = csrf(soup_of(client.get("/settings")), "/settings/profile")
        for bad_id in ("9223372036854775808", "18446744073709551616", "9" * 5000, "0", "-1"):
            r = client.post(
                f"/settings/sessions/{bad_id}/end",
                data={"csrf_token": token},
                follow_redirects=False,
            )
            assert r.status_code == 303, (bad_id, r.text)
            assert r.headers["location"] == "/settings?saved=sessions#sessions-title"
        assert phone.get("/api/profile").status_code == 200
    assert len(client.get("/api/sessions").json()) == 2
