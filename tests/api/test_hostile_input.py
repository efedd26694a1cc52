"""The hostile-input corpus (tests/api/hostile/corpus.yaml) against every /api operation and
every page form, signed in: each answer is a 4xx (never a 5xx), carries the security
headers, never echoes the input back, and leaves nothing stored."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from app.security import CSRF_FIELD
from tests.support.accounts import PASSWORD

CORPUS = yaml.safe_load((Path(__file__).parent / "hostile" / "corpus.yaml").read_text("utf-8"))
MARKER: str = CORPUS["marker"]
# Rows that hostile input may add without anything being "stored": the limits' counters,
# the account's own activity log and sign-in challenges that expire on their own.
VOLATILE = {"rate_event", "activity_event", "webauthn_challenge", "alembic_version"}
# Columns that change on every request of a signed-in client.
MOVING = {"last_seen_at", "last_used_at"}
# Signing out works with any fields and a valid token (as it should), which would end the
# run's session: it gets the cases without a token only. Deleting the account, a new
# passphrase and recovery need the passphrase or a code, which no case has.
ENDS_SESSION = {"/logout"}
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
}


def expand(piece: Any) -> str:
    """A corpus value as text: {M} the marker, {UUID} a fresh uuid, repeats joined."""
    if isinstance(piece, list):
        return "".join(expand(p) for p in piece)
    if isinstance(piece, dict):
        return str(piece["repeat"]) * int(piece["times"])
    return str(piece).replace("{M}", MARKER).replace("{UUID}", str(uuid.uuid4()))


def encoded(case: dict[str, Any], key: str = "body") -> bytes:
    raw = expand(case[key])
    encoding = case.get("bytes", "utf-8")
    # "surrogatepass": the corpus's lone surrogates are JSON escapes, never raw code points,
    # but a form's may be; they go out as the (invalid) UTF-8 bytes an attacker would send.
    return raw.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "strict")


def fingerprint(engine: Engine) -> dict[str, str]:
    """Every stored row but the volatile ones, as a digest per table."""
    found = {}
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table in VOLATILE:
                continue
            columns = [
                c["name"] for c in inspect(conn).get_columns(table) if c["name"] not in MOVING
            ]
            rows = conn.execute(
                text(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY 1')
            ).all()
            found[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return found


def problems_of(r: Any, *, api: bool, echo_allowed: bool = False) -> list[str]:
    found = []
    if r.status_code >= 500:
        found.append(f"{r.status_code}")
    elif api and not 400 <= r.status_code < 500:
        found.append(f"{r.status_code}, not a 4xx")
    for name, start in SECURITY_HEADERS.items():
        if not r.headers.get(name, "").startswith(start):
            found.append(f"no {name}")
    if api:
        try:
            detail = r.json().get("detail")
        except (ValueError, AttributeError):
            detail = None
        if not detail:
            found.append("no JSON detail")
    if not echo_allowed and MARKER in r.text:
        found.append("echoes the input")
    if len(r.content) > 100_000:
        found.append(f"a {len(r.content)}-byte answer")
    return found


@pytest.fixture
def hostile(app: Any, engine: Engine) -> Iterator[TestClient]:
    """A signed-in client that gets 500s as answers rather than exceptions."""
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        r = c.post("/api/auth/signup", json={"username": "target", "password": PASSWORD})
        assert r.status_code == 201, r.text
        yield c


def operations(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    spec = app.openapi()
    return [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        if path.startswith("/api/")
        for method, op in ops.items()
    ]


def filled(path: str, value: str = "1") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def run_cases(
    engine: Engine,
    cases: list[tuple[str, Callable[[], Any]]],
    *,
    api: bool,
    echo_allowed: bool = False,
) -> list[str]:
    """Each request once; what went wrong with each, with the case's name."""
    failures = []
    for name, send in cases:
        before = fingerprint(engine)
        r = send()
        found = problems_of(r, api=api, echo_allowed=echo_allowed)
        if r.status_code >= 400 and fingerprint(engine) != before:
            changed = [t for t, d in fingerprint(engine).items() if before.get(t) != d]
            found.append(f"stored something in {changed}")
        if found:
            failures.append(f"{name}: {', '.join(found)}")
    return failures


def test_every_json_operation_refuses_every_hostile_body(
    app: Any, hostile: TestClient, engine: Engine
) -> None:
    cases = []
    for method, path, op in operations(app):
        if "requestBody" not in op:
            continue
        for case in CORPUS["json_bodies"]:
            body = encoded(case)
            cases.append(
                (
                    f"{method} {path} <- {case['name']}",
                    lambda m=method, p=filled(path), b=body: hostile.request(
                        m, p, content=b, headers={"Content-Type": "application/json"}
                    ),
                )
            )
    assert len(cases) >= 15 * len(CORPUS["json_bodies"])
    failures = run_cases(engine, cases, api=True)
    assert not failures, "\n".join(failures)


def test_every_query_and_path_id_gets_a_4xx(app: Any, hostile: TestClient, engine: Engine) -> None:
    cases = []
    for method, path, op in operations(app):
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        for query in CORPUS["queries"]:
            if query.split("=", 1)[0] in names:
                q = expand(query)
                cases.append(
                    (
                        f"{method} {path}?{q}",
                        lambda m=method, p=path, q=q: hostile.request(m, f"{filled(p)}?{q}"),
                    )
                )
        if "{" in path:
            for value in CORPUS["path_ids"]:
                where = filled(path, expand(value))
                cases.append(
                    (
                        f"{method} {filled(path, '<id>')} <- {expand(value)[:30]}",
                        lambda m=method, p=where: hostile.request(m, p, json={}),
                    )
                )
    assert len(cases) > 50
    failures = run_cases(engine, cases, api=True)
    assert not failures, "\n".join(failures)


def page_forms(app: Any) -> list[str]:
    """The path of every page form (POST routes outside /api/)."""

    def walk(router: Any) -> Iterator[str]:
        for route in router.routes:
            sub = getattr(route, "router", None) or getattr(route, "original_router", None)
            if getattr(route, "methods", None) and "POST" in route.methods:
                yield route.path
            elif sub is not None:
                yield from walk(sub)

    return sorted({p for p in walk(app.router) if not p.startswith("/api/")})


def csrf_token(client: TestClient) -> str:
    page = BeautifulSoup(client.get("/settings").text, "html.parser")
    field = page.find("input", attrs={"name": CSRF_FIELD})
    assert field is not None
    return str(field["value"])


def form_body(case: dict[str, Any], token: str | None) -> bytes:
    from urllib.parse import quote

    if "raw" in case:
        body = expand(case["raw"])
    else:
        body = "&".join(
            f"{name}={quote(expand(value), safe='', errors='surrogatepass')}"
            for name, value in case["fields"].items()
        )
    if token is not None:
        body += f"&{CSRF_FIELD}={token}"
    return body.encode("utf-8", errors="surrogatepass")


def test_every_page_form_refuses_every_hostile_form(
    app: Any, hostile: TestClient, engine: Engine
) -> None:
    token = csrf_token(hostile)
    forms = page_forms(app)
    assert len(forms) >= 20 and "/settings/profile" in forms
    cases = []
    for path in forms:
        # An id no row has (the session's own id would end the session the run needs).
        ids = ["2147483647", *(expand(v) for v in CORPUS["path_ids"][:4])]
        for where in {filled(path, value) for value in ids}:
            for case in CORPUS["forms"]:
                for with_token in (False, True):
                    if with_token and path in ENDS_SESSION:
                        continue
                    body = form_body(case, token if with_token else None)
                    cases.append(
                        (
                            f"POST {where[:60]} <- {case['name']}{'' if with_token else ' (no CSRF token)'}",
                            lambda p=where, b=body: hostile.post(
                                p,
                                content=b,
                                headers={"Content-Type": "application/x-www-form-urlencoded"},
                                follow_redirects=False,
                            ),
                        )
                    )
    # A page keeps what the client typed (within its limits), so its echo is allowed;
    # the size check still holds it to a page, not the input.
    failures = run_cases(engine, cases, api=False, echo_allowed=True)
    assert not failures, "\n".join(failures)
    assert hostile.get("/api/profile").status_code == 200, "the session did not survive"


def test_the_import_form_refuses_every_hostile_file(hostile: TestClient, engine: Engine) -> None:
    token = csrf_token(hostile)
    cases = [
        (
            f"POST /settings/import <- {case['name']}",
            lambda c=encoded(case, "content"): hostile.post(
                "/settings/import",
                data={CSRF_FIELD: token},
                files={"file": ("export.json", c, "application/json")},
            ),
        )
        for case in CORPUS["import_files"]
    ]
    failures = run_cases(engine, cases, api=False)
    assert not failures, "\n".join(failures)
    # The same files through the API, where the contract's JSON detail applies.
    api_cases = [
        (
            f"POST /api/import <- {case['name']}",
            lambda c=encoded(case, "content"): hostile.post(
                "/api/import", content=c, headers={"Content-Type": "application/json"}
            ),
        )
        for case in CORPUS["import_files"]
    ]
    failures = run_cases(engine, api_cases, api=True)
    assert not failures, "\n".join(failures)


def test_the_corpus_is_hostile_enough() -> None:
    """The corpus keeps what it is for: every case the issue named is still in it."""
    names = {c["name"] for c in CORPUS["json_bodies"]}
    for needed in (
        "NaN",
        "Infinity",
        "lone surrogates",
        "nested arrays 100,000 deep",
        "duplicated keys",
        "nulls everywhere",
        "truncated",
        "invalid UTF-8",
        "a million answers",
    ):
        assert needed in names, needed
    assert {"99999999999999999999999", "9223372036854775808"} <= set(map(str, CORPUS["path_ids"]))
    assert any("0001-01-01" in q for q in CORPUS["queries"])
    assert json.loads(expand('{"a": "{M}"}'))["a"] == MARKER
