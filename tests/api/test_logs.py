"""Logs are JSON lines with route templates, and a whole flow leaves nothing sensitive in them."""

from __future__ import annotations

import io
import json
import logging
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError

from app.logging_setup import JsonFormatter
from app.security import CSRF_COOKIE, SESSION_COOKIE
from app.settings import ROOT
from tests.api.test_activity import make_link
from tests.conftest import PASSWORD
from tests.helpers import best_answers, questionnaire

USERNAME = "harbour_heron_7"
WRONG = "certainly not my passphrase"
NOTE = "my brother's wedding makes me anxious"
CLIENT_ID = "5b0c3f0e-9f6a-4c55-8a52-3c1d2f6b7e91"
CLIENT_SIDE = ("httpx", "httpcore")  # the test's HTTP client logs its own URLs


def _run_flow(client: TestClient) -> dict[str, Any]:
    """Everything a client does in a week, plus a few failures; returns what must stay out."""
    r = client.post("/api/auth/signup", json={"username": USERNAME, "password": PASSWORD})
    assert r.status_code == 201, r.text
    secrets: dict[str, Any] = {
        "username": USERNAME,
        "passphrase": PASSWORD,
        "wrong passphrase": WRONG,
        "note": NOTE,
        "client id": CLIENT_ID,
        "session cookie": client.cookies.get(SESSION_COOKIE),
        **{f"recovery code {n}": code for n, code in enumerate(r.json()["recovery_codes"])},
    }
    profile = {"therapy_started_on": "2026-01-05", "on_medication": True, "country": "GB"}
    assert client.put("/api/profile", json=profile).status_code == 200
    q = questionnaire(client)
    answers = best_answers(q)
    body = {"client_id": CLIENT_ID, "answers": answers, "note": NOTE}
    r = client.post("/api/checkins", json=body)
    assert r.status_code == 201, r.text
    checkin_id = r.json()["id"]
    secrets.update({"check-in id": checkin_id, "answers": json.dumps(answers)[1:-1]})
    for path in (f"/api/checkins/{checkin_id}", f"/checkins/{checkin_id}", "/api/summary", "/"):
        assert client.get(path).status_code == 200, path

    path = make_link(client)
    secrets["share token"] = path.rsplit("/", 1)[1]
    with TestClient(client.app, base_url="https://testserver") as therapist:
        assert therapist.get(path).status_code == 200
        assert therapist.get("/shared/" + "Z" * 43).status_code == 404
    for params in ({}, {"format": "csv"}):
        assert client.get("/api/export", params=params).status_code == 200
    assert client.get("/settings/activity").status_code == 200
    secrets["csrf cookie"] = client.cookies.get(CSRF_COOKIE)
    refused = client.post("/api/checkins", json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert client.post("/api/auth/logout").status_code == 200
    r = client.post("/api/auth/login", json={"username": USERNAME, "password": WRONG})
    assert r.status_code == 401
    assert client.get(f"/no-such-page/{USERNAME}").status_code == 404
    assert client.get("/static/css/app.css").status_code == 200
    assert all(secrets.values())
    return secrets


def test_a_whole_flow_leaves_nothing_sensitive_in_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)  # where the app's JSON handler writes
    caplog.set_level(logging.DEBUG)
    for name in ("app", "uvicorn", "uvicorn.error", "fastapi", "starlette"):
        caplog.set_level(logging.DEBUG, logger=name)

    secrets = _run_flow(client)

    records = [r for r in caplog.records if not r.name.startswith(CLIENT_SIDE)]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]  # every line is JSON
    server_lines = [line for line in lines if not line["logger"].startswith(CLIENT_SIDE)]
    formatter = JsonFormatter()
    captured = "\n".join(
        [formatter.format(r) for r in records]
        + [f"{r.getMessage()} {vars(r)}" for r in records]
        + [json.dumps(line, ensure_ascii=False) for line in server_lines]
    )
    for what, secret in secrets.items():
        assert str(secret) not in captured, f"the {what} is in the logs"

    requests = [line for line in server_lines if line["logger"] == "app.request"]
    assert len(requests) >= 15
    assert len(requests) == len([r for r in records if r.name == "app.request"])
    for line in requests:
        assert set(line) >= {"method", "route", "status", "duration_ms"}
        assert isinstance(line["status"], int) and isinstance(line["duration_ms"], float)
        assert "path" not in line and "url" not in line
    routes = {(line["method"], line["route"], line["status"]) for line in requests}
    assert {
        ("POST", "/api/auth/signup", 201),
        ("GET", "/api/checkins/{checkin_id}", 200),
        ("GET", "/checkins/{checkin_id}", 200),
        ("GET", "/shared/{token}", 200),
        ("GET", "/shared/{token}", 404),
        ("POST", "/api/auth/login", 401),
        ("GET", "/static/{path}", 200),
        ("GET", "unrouted", 404),  # a path no route knows: never the path itself
        ("POST", "unrouted", 403),  # refused before routing (cross-site)
    } <= routes


def test_uvicorns_access_log_stays_off() -> None:
    assert logging.getLogger("uvicorn.access").disabled
    for name in ("Makefile", "Dockerfile"):
        text = (ROOT / name).read_text()
        assert "uvicorn app.main:create_app" in text and "--no-access-log" in text, name


def _formatted_exception(exc: Exception) -> str:
    try:
        raise exc
    except Exception:
        logging.getLogger("app.test").exception("boom")  # keeps caplog busy, harmlessly
        record = logging.LogRecord("app.test", logging.ERROR, "", 0, "boom", None, sys.exc_info())
    return JsonFormatter().format(record)


def test_exception_texts_do_not_quote_the_data_they_were_given() -> None:
    sql = IntegrityError(
        "INSERT INTO account (username) VALUES (?)", (USERNAME,), Exception("UNIQUE failed")
    )
    out = json.loads(_formatted_exception(sql))
    assert USERNAME not in out["exception"] and "[parameters: hidden]" in out["exception"]
    try:
        TypeAdapter(int).validate_python(NOTE)
    except ValidationError as exc:
        out = json.loads(_formatted_exception(exc))
    assert NOTE not in out["exception"] and "input_value=<hidden>" in out["exception"]
