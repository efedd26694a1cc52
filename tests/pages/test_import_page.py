"""Settings: importing an export by uploading the file (the same import as the API)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, signup
from tests.helpers import best_answers, post_checkin, questionnaire
from tests.pages.helpers import get_page, hidden, soup_of


def test_settings_page_imports_an_uploaded_file(client: TestClient) -> None:
    signup(client, "uploader")
    q = questionnaire(client)
    post_checkin(client, best_answers(q), taken_at="2026-05-01T08:00:00Z", note="kept")
    raw = client.get("/api/export").content
    client.delete("/api/account")
    client.post("/api/auth/signup", json={"username": "uploader", "password": PASSWORD})
    soup = get_page(client, "/settings")
    form = soup.find("form", action="/settings/import")
    assert form["enctype"] == "multipart/form-data"
    field = form.find("input", attrs={"type": "file", "name": "file"})
    assert soup.find("label", attrs={"for": field["id"]}) is not None
    csrf = hidden(form, "csrf_token")

    def upload(content: bytes, token: str = csrf) -> Any:
        files = {"file": ("export.json", content, "application/json")}
        return client.post("/settings/import", data={"csrf_token": token}, files=files)

    assert upload(raw, "forged").status_code == 403
    r = upload(b"not json")
    assert r.status_code == 422 and "isn't a JSON export" in soup_of(r).get_text()
    r = upload(b'{"format": "therapy-checkin-export", "format_version": 7}')
    assert r.status_code == 422 and "format_version 7" in soup_of(r).get_text()
    r = upload(raw)
    assert r.status_code == 200 and "1 check-in added" in soup_of(r).get_text()
    words = " ".join(soup_of(upload(raw)).get_text().split())
    assert "0 check-ins added" in words and "1 already here" in words
    assert client.get("/api/export").json()["checkins"][0]["note"] == "kept"


def test_the_import_page_asks_before_changing_settings(client: TestClient) -> None:
    signup(client, "asked")
    mine = {"therapy_started_on": "2026-01-05", "on_medication": False, "country": "GB"}
    assert client.put("/api/profile", json={**mine, "goals": "Sleep"}).status_code == 200
    plan = {"reasons": ["My dog"], "people": [{"name": "Sam", "phone": "+44 7700 900123"}]}
    doc = client.get("/api/export").json()
    doc["profile"] = {**mine, "country": "US", "goals": "Walk daily"}
    doc["safety_plan"] = plan
    csrf = hidden(
        get_page(client, "/settings").find("form", action="/settings/import"), "csrf_token"
    )
    files = {"file": ("export.json", json.dumps(doc).encode(), "application/json")}
    r = client.post("/settings/import", data={"csrf_token": csrf}, files=files)
    assert r.status_code == 200
    soup = soup_of(r)
    form = soup.find("form", action="/settings/import/changes")
    boxes = {b["value"]: b.has_attr("checked") for b in form.find_all("input", type="checkbox")}
    # What the client has is unticked; the plan they don't have yet is ticked; nothing changed.
    assert boxes == {"country": False, "goals": False, "safety_plan": True}
    words = " ".join(form.get_text().split())
    assert "yours is United Kingdom, the file says United States" in words
    assert "yours is Sleep, the file says Walk daily" in words
    assert client.get("/api/profile").json()["country"] == "GB"
    assert client.get("/api/safety-plan").json()["reasons"] == []

    data: dict[str, Any] = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    data["apply"] = ["goals", "safety_plan"]
    r = client.post("/settings/import/changes", data=data)
    assert r.status_code == 200, r.text
    assert "Taken from the file" in soup_of(r).get_text()
    profile = client.get("/api/profile").json()
    assert profile["goals"] == "Walk daily" and profile["country"] == "GB"
    assert client.get("/api/safety-plan").json()["people"] == plan["people"]
    data["csrf_token"] = "forged"
    assert client.post("/settings/import/changes", data=data).status_code == 403


def test_a_made_up_country_or_version_in_a_file_is_refused_and_nothing_changes(
    client: TestClient,
) -> None:
    signup(client, "careful")
    assert client.put("/api/profile", json={"country": "GB"}).status_code == 200
    q = questionnaire(client)
    post_checkin(client, best_answers(q), taken_at="2026-05-01T08:00:00Z")
    doc = client.get("/api/export").json()
    client.delete(f"/api/checkins/{doc['checkins'][0]['id']}")
    csrf = hidden(
        get_page(client, "/settings").find("form", action="/settings/import"), "csrf_token"
    )

    def upload(changed: dict[str, Any]) -> Any:
        files = {"file": ("export.json", json.dumps(changed).encode(), "application/json")}
        return client.post("/settings/import", data={"csrf_token": csrf}, files=files)

    r = upload({**doc, "profile": {**doc["profile"], "country": "ZZ"}})
    assert r.status_code == 422
    words = " ".join(soup_of(r).get_text().split())
    assert "Nothing was imported" in words and '"ZZ" is not a country code' in words
    r = upload({**doc, "format_version": True})
    assert r.status_code == 422 and "format_version" in soup_of(r).get_text()
    r = upload({**doc, "checkins": [{**doc["checkins"][0], "taken_at": "0001-01-01T00:00:00Z"}]})
    assert r.status_code == 422 and "2000-01-01" in soup_of(r).get_text()
    assert client.get("/api/checkins").json()["items"] == []

    # The second step (use the file's values) refuses it too, and changes nothing.
    data = {"csrf_token": csrf, "apply": ["country", "goals"], "file_country": "ZZ"}
    data["file_goals"] = "Walk daily"
    r = client.post("/settings/import/changes", data=data)
    assert r.status_code == 422 and '"ZZ" is not a country code' in soup_of(r).get_text()
    profile = client.get("/api/profile").json()
    assert profile["country"] == "GB" and profile["goals"] is None
