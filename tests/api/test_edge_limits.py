"""The edge (app/middleware.py): bodies held to their limits before they are read, strict
JSON, 422s that never echo, 500s with the security headers, and no input in the logs."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from app.bodies import FORM_LIMIT, JSON_LIMIT
from app.logging_setup import JsonHandler
from app.security import CSRF_FIELD
from app.services import accounts
from app.settings import ROOT
from tests.helpers import best_answers, questionnaire
from tests.support.live_server import Server
from tests.support.migrations import migrate

MARKER = "MARKER-passphrase-7731"
HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}
JSON = {"Content-Type": "application/json"}


def assert_secured(headers: Any) -> None:
    for name, start in HEADERS.items():
        assert headers.get(name, "").startswith(start), name


def capture_logs(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What the app's JSON handler writes from now on (to the sys.stderr of the moment;
    set in the test itself, since pytest swaps sys.stderr again between setup and call)."""
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


# --- limits: refused before the body is read -----------------------------------------------


class Body:
    """An ASGI `receive` that streams `size` bytes (`start`, then x's) in 64 KB chunks and
    counts what was taken."""

    def __init__(self, size: int, start: bytes = b"") -> None:
        self.size = size
        self.start = start
        self.pulled = 0

    async def __call__(self) -> dict[str, Any]:
        chunk = min(65536, self.size - self.pulled)
        data = (self.start if self.pulled == 0 else b"") + b"x" * chunk
        self.pulled += chunk
        return {"type": "http.request", "body": data[:chunk], "more_body": self.pulled < self.size}


def call(
    app: Any, path: str, body: Body, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """One request straight into the ASGI app (no test client buffering the body first)."""
    import anyio

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (k.lower().encode(), v.encode()) for k, v in {"host": "testserver", **headers}.items()
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
        "state": {},
    }
    anyio.run(app, scope, body, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, content


HUNDRED_MB = 100 * 1024 * 1024
UPLOAD = (
    b'--b\r\nContent-Disposition: form-data; name="file"; filename="export.json"\r\n'
    b"Content-Type: application/json\r\n\r\n"
)
LIMITED = [
    ("/api/auth/login", "application/json", JSON_LIMIT, b'{"password": "'),
    ("/login", "application/x-www-form-urlencoded", FORM_LIMIT, b"password="),
    ("/settings/import", "multipart/form-data; boundary=b", 8 * 1024 * 1024, UPLOAD),
]


@pytest.mark.parametrize(("path", "content_type", "limit", "start"), LIMITED)
def test_a_declared_length_over_the_limit_is_refused_without_reading(
    app: Any, path: str, content_type: str, limit: int, start: bytes
) -> None:
    body = Body(HUNDRED_MB, start)
    status, headers, content = call(
        app, path, body, {"content-type": content_type, "content-length": str(HUNDRED_MB)}
    )
    assert status == 413
    assert body.pulled == 0
    assert_secured(headers)
    if path.startswith("/api/"):
        assert json.loads(content)["detail"]
    else:
        assert "nothing was saved" in content.decode()


@pytest.mark.parametrize(("path", "content_type", "limit", "start"), LIMITED)
def test_a_streamed_body_is_refused_once_it_passes_the_limit(
    app: Any, path: str, content_type: str, limit: int, start: bytes
) -> None:
    body = Body(HUNDRED_MB, start)  # chunked: no Content-Length to go by
    status, headers, content = call(
        app, path, body, {"content-type": content_type, "transfer-encoding": "chunked"}
    )
    assert status == 413, content[:300]
    assert limit < body.pulled <= limit + 65536  # stopped at the first chunk past the limit
    assert_secured(headers)
    if path.startswith("/api/"):
        assert "KB" in json.loads(content)["detail"]


def test_each_kind_of_body_has_its_own_limit(client: TestClient, user: dict[str, Any]) -> None:
    megabyte = json.dumps({"format": "therapy-checkin-export", "pad": "x" * 1_000_000})
    r = client.post("/api/auth/login", content=megabyte, headers=JSON)
    assert r.status_code == 413 and "256 KB" in r.json()["detail"]
    assert_secured(r.headers)
    r = client.post("/api/import", content=megabyte, headers=JSON)
    assert r.status_code == 422  # read, and judged by the import, not by the edge
    form = client.post("/login", data={"username": "x" * (FORM_LIMIT + 1)})
    assert form.status_code == 413
    assert_secured(form.headers)
    assert "nothing was saved" in BeautifulSoup(form.text, "html.parser").get_text()


def _plan_form(token: str, char: str) -> dict[str, str]:
    """The safety plan page's form at its largest valid size, written in `char`."""
    lines = "\n".join(char * 300 for _ in range(10))
    parts = ("warning_signs", "coping", "distractions", "safer_surroundings", "reasons")
    form = {CSRF_FIELD: token, **dict.fromkeys(parts, lines)}
    for part in ("people", "professionals"):
        for n in range(3):
            form[f"{part}_{n}_name"] = char * 80
            form[f"{part}_{n}_phone"] = "+44 (0)20 7946 0000 1234 5678"
    return form


def test_the_largest_valid_safety_plan_fits_in_every_alphabet(
    client: TestClient, user: dict[str, Any]
) -> None:
    page = BeautifulSoup(client.get("/safety-plan").text, "html.parser")
    token = str(page.find("input", attrs={"name": CSRF_FIELD})["value"])
    for char in ("e", "é", "語", "😀"):
        r = client.post("/safety-plan", data=_plan_form(token, char), follow_redirects=False)
        assert r.status_code == 303, (char, r.status_code)  # saved
    plan = client.get("/api/safety-plan").json()
    assert plan["warning_signs"][0] == "😀" * 300
    # The same plan as JSON with every character escaped, as a client may send it.
    body = {part: plan[part] for part in ("warning_signs", "coping", "distractions")}
    text = json.dumps(body, ensure_ascii=True)
    assert client.put("/api/safety-plan", content=text, headers=JSON).status_code == 200


def test_the_edges_own_refusals_carry_the_headers(client: TestClient, user: dict[str, Any]) -> None:
    cross = client.post("/api/checkins", json={}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403 and cross.json()["detail"]
    not_json = client.post("/api/checkins", content=b"a=b", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 415 and not_json.json()["detail"]
    for r in (cross, not_json):
        assert_secured(r.headers)
        assert "set-cookie" not in r.headers
    page, data = client.get("/"), client.get("/api/profile")
    assert page.headers["x-account"] and "x-account" not in data.headers  # pages only
    fresh = TestClient(client.app, base_url="https://testserver").get("/login")
    assert fresh.headers["set-cookie"].startswith("__Host-csrf=")
    assert {"HttpOnly", "Secure", "Path=/", "SameSite=lax"} <= {
        part.strip() for part in fresh.headers["set-cookie"].split(";")
    }


# --- strict JSON ------------------------------------------------------------------------------

HOSTILE = {
    "NaN": '{"username": "someone", "password": "%s", "x": NaN}',
    "Infinity": '{"username": "someone", "password": "%s", "x": Infinity}',
    "-Infinity": '{"username": "someone", "password": "%s", "x": -Infinity}',
    "a number past float": '{"username": "someone", "password": "%s", "x": 1e999}',
    "a lone surrogate": '{"username": "someone\\ud800", "password": "%s"}',
    "a lone low surrogate in a key": '{"username": "someone", "password": "%s", "\\udfff": 1}',
    "100,000 nested arrays": "[" * 100_000 + '"%s"' + "]" * 100_000,
    "40 nested objects in a field": '{"username": "someone", "password": "%s", "x": '
    + '{"a": ' * 40
    + "1"
    + "}" * 40
    + "}",
    "a key twice": '{"username": "someone", "password": "x", "password": "%s"}',
    "not UTF-8": '{"username": "someoné", "password": "%s"}',
}
ENDPOINTS = ("/api/auth/signup", "/api/auth/login", "/api/auth/recover", "/api/auth/passphrase")


@pytest.mark.parametrize("case", HOSTILE)
def test_json_that_is_not_json_is_refused_by_name_without_the_value(
    client: TestClient, user: dict[str, Any], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    log_lines = capture_logs(monkeypatch)
    text = HOSTILE[case] % MARKER
    body = text.encode("latin-1" if case == "not UTF-8" else "utf-8")
    for path in ENDPOINTS:
        r = client.post(path, content=body, headers=JSON)
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        assert_secured(r.headers)
        [problem] = r.json()["detail"]
        assert problem["type"] == "json_invalid" and problem["loc"][0] == "body"
        assert MARKER not in r.text and "someone" not in r.text
    assert MARKER not in log_lines.getvalue()
    assert "Traceback" not in log_lines.getvalue()


def test_json_the_parser_can_read_still_gets_through(
    client: TestClient, user: dict[str, Any]
) -> None:
    q = questionnaire(client)
    # An escaped surrogate pair is one character, 32 levels are allowed, the BOM is ignored.
    note = json.dumps("a good week \U0001f600", ensure_ascii=True)
    assert "\\ud83d\\ude00" in note
    body = f'{{"client_id": "{uuid.uuid4()}", "answers": {json.dumps(best_answers(q))}, "note": {note}}}'
    r = client.post("/api/checkins", content=("\ufeff" + body).encode(), headers=JSON)
    assert r.status_code == 201, r.text
    assert client.get(f"/api/checkins/{r.json()['id']}").json()["note"] == "a good week \U0001f600"
    for inside, refused in ((31, False), (32, True)):  # the object itself is one level
        deep = "[" * inside + "]" * inside
        r = client.post("/api/checkins", content=f'{{"answers": {deep}}}', headers=JSON)
        assert r.status_code == 422
        assert (r.json()["detail"][0]["type"] == "json_invalid") is refused


# --- 422s never echo ----------------------------------------------------------------------


def test_a_422_names_the_field_but_never_echoes_the_value(
    client: TestClient, user: dict[str, Any]
) -> None:
    big = MARKER * 500  # about 11 KB
    cases = [
        ("/api/auth/login", {"username": "someone", "password": [big]}),
        ("/api/auth/signup", {"username": big, "password": big}),
        ("/api/checkins", {"client_id": str(uuid.uuid4()), "answers": big}),
        ("/api/checkins", {"client_id": str(uuid.uuid4()), "answers": {big: "x"}}),
        ("/api/auth/login", {"username": "someone", "password": "x", big: 1}),
        ("/api/auth/login", big),
        ("/api/profile", {"country": big, "goals": big}),
    ]
    for path, body in cases:
        r = client.request("PUT" if path == "/api/profile" else "POST", path, json=body)
        assert r.status_code == 422, (path, r.text[:300])
        assert_secured(r.headers)
        assert MARKER not in r.text, (path, r.text[:300])
        assert len(r.content) < 2000
        for error in r.json()["detail"]:
            assert set(error) == {"loc", "msg", "type"}
    r = client.post("/api/auth/login", json={"username": "someone", "password": 12345})
    assert r.json()["detail"] == [
        {
            "loc": ["body", "password"],
            "msg": "Input should be a valid string",
            "type": "string_type",
        }
    ]


def test_a_422_tells_at_most_twenty_problems(client: TestClient, user: dict[str, Any]) -> None:
    doc = {"format": "therapy-checkin-export", "format_version": 1, "checkins": [{"x": 1}] * 200}
    r = client.post("/api/import", json=doc)
    assert r.status_code == 422
    assert len(r.json()["detail"]) == 20


# --- 500s ---------------------------------------------------------------------------------


def _fails_with_the_input(*args: Any, password: str, **kwargs: Any) -> Any:
    # A bug that lets a validation error carrying the passphrase escape a service.
    TypeAdapter(int).validate_python(password)


def test_an_unexpected_error_is_a_500_with_the_headers_logged_once_without_input(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "login", _fails_with_the_input)
    log_lines = capture_logs(monkeypatch)
    with TestClient(app, base_url="https://testserver") as client:  # raises what reaches it
        r = client.post("/api/auth/login", json={"username": "someone", "password": MARKER})
        assert r.status_code == 500
        assert_secured(r.headers)
        assert r.json()["detail"] and MARKER not in r.text
        page = client.get("/login")
        token = str(
            BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": CSRF_FIELD})[
                "value"
            ]
        )
        r = client.post(
            "/login", data={CSRF_FIELD: token, "username": "someone", "password": MARKER}
        )
        assert r.status_code == 500
        assert_secured(r.headers)
        assert r.headers["content-type"].startswith("text/html")
        assert BeautifulSoup(r.text, "html.parser").h1.get_text() == "Something went wrong"
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    errors = [
        line for line in lines if line["level"] == "ERROR" and line["logger"] != "app.request"
    ]
    assert [e["message"] for e in errors] == [
        "unhandled ValidationError in POST /api/auth/login",
        "unhandled ValidationError in POST /login",
    ]
    assert all("input_value=<hidden>" in e["exception"] for e in errors)
    assert MARKER not in log_lines.getvalue()
    statuses = [
        (line["route"], line["status"]) for line in lines if line["logger"] == "app.request"
    ]
    assert ("/api/auth/login", 500) in statuses and ("/login", 500) in statuses


# --- the import page reads its file strictly ------------------------------------------------


def test_the_import_form_refuses_hostile_files_with_a_page(
    client: TestClient, user: dict[str, Any]
) -> None:
    page = BeautifulSoup(client.get("/settings").text, "html.parser")
    token = str(page.find("input", attrs={"name": CSRF_FIELD})["value"])
    files = {
        "deep": "[" * 100_000 + "]" * 100_000,
        "NaN": '{"format": "therapy-checkin-export", "format_version": NaN, "checkins": []}',
        "surrogate": '{"format": "therapy-checkin-export", "format_version": 1, "checkins": [], "profile": {"goals": "\\ud800"}}',
    }
    for name, content in files.items():
        r = client.post(
            "/settings/import",
            data={CSRF_FIELD: token},
            files={"file": ("export.json", content.encode(), "application/json")},
        )
        assert r.status_code == 422, (name, r.status_code)
        assert_secured(r.headers)
        assert "isn't a JSON export" in BeautifulSoup(r.text, "html.parser").get_text(), name


# --- logs -----------------------------------------------------------------------------------


def test_malformed_requests_leave_no_passphrase_in_the_logs(
    client: TestClient, user: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    log_lines = capture_logs(monkeypatch)
    bodies = [
        f'{{"username": "{user["username"]}", "password": "{MARKER}", "x": NaN}}',
        f'{{"username": "{user["username"]}\\ud800", "password": "{MARKER}"}}',
        "[" * 5000 + f'"{MARKER}"' + "]" * 5000,
        json.dumps({"username": [MARKER], "password": {"p": MARKER}}),
        json.dumps({"current_password": [MARKER], "new_password": MARKER * 100}),
        json.dumps({"username": "x", "recovery_code": [MARKER], "new_password": MARKER}),
        json.dumps({"username": "x", "password": MARKER}) + "x" * JSON_LIMIT,
    ]
    for path in ENDPOINTS:
        for body in bodies:
            r = client.post(path, content=body.encode(), headers=JSON)
            assert 400 <= r.status_code < 500, (path, r.status_code)
        r = client.post(path, json={"username": user["username"], "password": MARKER})
    assert MARKER not in log_lines.getvalue()
    assert "Traceback" not in log_lines.getvalue()


def test_one_filter_redacts_message_exception_and_extras(monkeypatch: pytest.MonkeyPatch) -> None:
    log_lines = capture_logs(monkeypatch)
    logger = logging.getLogger("app.test_edge")
    handler = JsonHandler()
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            TypeAdapter(int).validate_python(MARKER)
        except ValidationError as exc:
            errors = exc.errors()
            logger.error("refused: %s", errors, extra={"why": str(exc), "errors": errors})
            logger.error("again: %s", exc.json(), exc_info=True)
        logger.warning("parameters\n[parameters: ('%s',)]", MARKER)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    out = log_lines.getvalue()
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert MARKER not in out
    assert "'input': <hidden>" in lines[0]["message"] and "input_value=<hidden>" in lines[0]["why"]
    assert '"input": <hidden>' in lines[0]["errors"] and '"input": <hidden>' in lines[1]["message"]
    assert "input_value=<hidden>" in lines[1]["exception"]
    assert "[parameters: hidden]" in lines[2]["message"]


# --- header sizes -----------------------------------------------------------------------------


def test_uvicorn_is_started_with_a_bound_on_header_size() -> None:
    for name in ("Makefile", "Dockerfile"):
        text = (ROOT / name).read_text()
        assert "--http h11" in text and "--h11-max-incomplete-event-size" in text, name


@pytest.mark.slow
@pytest.mark.own_databases
def test_a_live_server_stays_small_under_big_bodies_and_big_headers(tmp_path: Path) -> None:
    """Over real HTTP, started as `make run` starts it: two 64 MB bodies streamed at once
    (the client never holds them) get a 413 each and leave the server's peak memory where
    it was; a request head far over the bound gets uvicorn's 400 (h11 applies the bound to
    a head still incomplete after a read, so one that arrives whole in one read of the
    socket may pass: the bound caps what a connection can buffer, not each header)."""
    flags = re.search(
        r"--http h11 --h11-max-incomplete-event-size (\d+)", (ROOT / "Makefile").read_text()
    )
    assert flags is not None
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate(url)
    server = Server(url, extra_args=tuple(flags.group(0).split())).start()
    try:
        assert server.proc is not None
        httpx2.post(f"{server.base}/api/auth/login", json={"username": "x", "password": "y"})
        peak = _peak_mb(server.proc.pid)

        def stream() -> Iterator[bytes]:
            yield b'{"username": "x", "password": "'
            for _ in range(64):
                yield b"x" * (1024 * 1024)
            yield b'"}'

        def send(_: int) -> int:
            r = httpx2.post(
                f"{server.base}/api/auth/login", content=stream(), headers=JSON, timeout=120
            )
            return r.status_code

        with ThreadPoolExecutor(2) as pool:
            assert list(pool.map(send, range(2))) == [413, 413]
        assert _peak_mb(server.proc.pid) - peak < 16
        bound = int(flags.group(1))
        ok = httpx2.get(f"{server.base}/healthz", headers={"X-Pad": "p" * 1000})
        assert ok.status_code == 200
        try:
            status = httpx2.get(
                f"{server.base}/healthz", headers={"X-Pad": "p" * bound * 64}
            ).status_code
        except httpx2.TransportError:  # the 400 came, and the close, before the head was all sent
            status = 400
        assert status == 400
    finally:
        server.stop()


def _peak_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmHWM")
