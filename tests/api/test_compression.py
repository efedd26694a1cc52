"""gzip (app/compression.py): JSON, CSS and JS whenever asked; pages only for the app's own
requests (BREACH, SECURITY.md); the edge's headers on every compressed answer."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import Headers

from app.compression import Compress, accepts_gzip
from tests.helpers import best_answers, post_checkin, questionnaire

GZIP = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}
OWN = {**GZIP, "Sec-Fetch-Site": "same-origin"}


def raw(client: TestClient, path: str, headers: dict[str, str]) -> tuple[Any, bytes]:
    """The answer and its body as sent, before the client undoes any Content-Encoding."""
    with client.stream("GET", path, headers=headers) as r:
        return r, b"".join(r.iter_raw())


def vary(r: Any) -> set[str]:
    return {v.strip().lower() for v in r.headers.get("vary", "").split(",") if v.strip()}


def assert_secured(r: Any) -> None:
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_json_is_gzipped_when_asked_with_the_security_headers(client: TestClient) -> None:
    r, body = raw(client, "/api/questionnaires/weekly", GZIP)
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) == len(body)
    assert "accept-encoding" in vary(r)
    assert_secured(r)
    assert r.headers["cache-control"] == "no-store"

    plain, plain_body = raw(client, "/api/questionnaires/weekly", PLAIN)
    assert "content-encoding" not in plain.headers
    assert "accept-encoding" in vary(plain)  # a cache must tell the two apart
    assert json.loads(gzip.decompress(body)) == json.loads(plain_body)
    assert len(body) < len(plain_body) / 3


def test_summary_is_gzipped(client: TestClient, user: dict[str, Any]) -> None:
    q = questionnaire(client)
    for _ in range(3):
        assert post_checkin(client, best_answers(q)).status_code == 201
    r, body = raw(client, "/api/summary", GZIP)
    assert r.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(body)) == client.get("/api/summary", headers=PLAIN).json()


def test_small_answers_stay_plain(client: TestClient) -> None:
    r, body = raw(client, "/healthz", GZIP)
    assert len(body) < 500 and "content-encoding" not in r.headers
    assert_secured(r)


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_the_apps_own_page_requests_are_gzipped(
    client: TestClient, user: dict[str, Any], site: str
) -> None:
    r, body = raw(client, "/", {**GZIP, "Sec-Fetch-Site": site})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert {"accept-encoding", "sec-fetch-site"} <= vary(r)
    assert_secured(r)
    assert r.headers["cache-control"] == "no-store" and r.headers["x-account"]
    assert b"csrf_token" in gzip.decompress(body)


@pytest.mark.parametrize("site", ["cross-site", "same-site", None])
def test_pages_another_site_can_cause_are_never_compressed(
    client: TestClient, user: dict[str, Any], site: str | None
) -> None:
    """BREACH: a page holds the CSRF token (and health data) beside what the query puts
    there; its compressed size must never be observable for requests another site makes."""
    headers = {**GZIP, **({"Sec-Fetch-Site": site} if site else {})}
    for path in ("/", "/settings", "/login?next=%2Fsettings%3Fguess%3Dcsrf_token"):
        r, body = raw(client, path, headers)
        assert r.status_code == 200, path
        assert "content-encoding" not in r.headers, path
        assert b"csrf_token" in body, path
        assert {"accept-encoding", "sec-fetch-site"} <= vary(r)
        assert_secured(r)


def test_the_export_download_keeps_its_name_when_gzipped(
    client: TestClient, user: dict[str, Any]
) -> None:
    q = questionnaire(client)
    assert post_checkin(client, best_answers(q), note="Bring up the homework").status_code == 201
    for fmt, kind in (("json", "application/json"), ("csv", "text/csv")):
        r, body = raw(client, f"/api/export?format={fmt}", GZIP)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(kind)
        assert r.headers["content-disposition"] == (
            f'attachment; filename="therapy-checkin-{user["username"]}.{fmt}"'
        )
        assert r.headers["content-encoding"] == "gzip"
        assert_secured(r)
        text = gzip.decompress(body).decode()
        assert "Bring up the homework" in text
    assert client.get("/api/export", headers=GZIP).json()["checkins"]


def test_images_are_not_gzipped_again(client: TestClient) -> None:
    r, _ = raw(client, "/static/icons/icon-512.png", GZIP)
    assert r.status_code == 200 and "content-encoding" not in r.headers


@pytest.mark.parametrize(
    ("header", "gzipped"),
    [
        ("gzip", True),
        ("br, gzip;q=0.5, deflate", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0", False),
        ("identity", False),
        ("", False),
        ("x-gzip-not", False),
    ],
)
def test_accept_encoding_is_read_with_its_q_values(header: str, gzipped: bool) -> None:
    assert accepts_gzip(Headers({"accept-encoding": header})) is gzipped


def test_headers_held_for_a_body_that_never_came_still_go_out() -> None:
    """A file response whose client went away stops after its headers: they still reach
    the edge and the request log (a 200 the client didn't wait for, not a 500)."""
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/css")],
        }
        await send(start)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "headers": [(b"accept-encoding", b"gzip")]}
    asyncio.run(Compress(app)(scope, receive, send))
    assert [(m["type"], m["status"]) for m in sent] == [("http.response.start", 200)]
