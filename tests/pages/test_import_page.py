"""Settings: importing an export by uploading the file (the same import as the API)."""

from __future__ import annotations

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
