"""Two app processes on one PostgreSQL database behave as one: requests alternate between them.

Reminders are covered elsewhere: two `python -m app.cli send-reminders` at once send each
reminder once (tests/api/test_reminders.py on SQLite, tests/api/test_postgres.py on
PostgreSQL), because each week is claimed with a conditional UPDATE.
"""

from __future__ import annotations

import itertools
import os
import secrets
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
from sqlalchemy import create_engine, text

from tests.support.accounts import PASSWORD, middling_answers, session_cookie
from tests.support.databases import postgres_available, postgres_database
from tests.support.live_server import Server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
SIGNUP_LIMIT = 4
LOGIN_FAILURES = 10


class Pair:
    def __init__(self, url: str, a: Server, b: Server) -> None:
        self.url, self.a, self.b = url, a, b
        self.http = httpx2.Client(timeout=30)

    def alternate(self) -> Iterator[str]:
        return itertools.cycle([self.a.base, self.b.base])

    def sql(self, query: str, **params: object) -> object:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(query), params).scalar()
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    if not postgres_available():
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required but unreachable")
        pytest.skip("PostgreSQL not available")
    env = {
        "SIGNUPS_PER_HOUR_PER_ADDRESS": str(SIGNUP_LIMIT),
        "LOGIN_FAILURES_PER_ACCOUNT": str(LOGIN_FAILURES),
    }
    with postgres_database() as url:
        a, b = Server(url, env=env), Server(url, env=env)
        try:
            a.launch()
            b.launch()
            a.wait_healthy()
            b.wait_healthy()
            p = Pair(url, a, b)
            yield p
            p.http.close()
        finally:
            a.stop()
            b.stop()


def fresh_address() -> dict[str, str]:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1: each test signs up from its own
    # "network", so the signup limit only counts what that test does.
    return {"X-Forwarded-For": f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.7"}


def signup_on(pair: Pair, base: str, address: dict[str, str]) -> tuple[str, dict[str, str]]:
    name = f"u{uuid.uuid4().hex[:10]}"
    r = pair.http.post(
        f"{base}/api/auth/signup", json={"username": name, "password": PASSWORD}, headers=address
    )
    assert r.status_code == 201, r.text
    return name, {"Cookie": session_cookie(r)}


def test_both_instances_are_ready(pair):
    for server in (pair.a, pair.b):
        r = pair.http.get(f"{server.base}/readyz")
        assert r.status_code == 200 and r.json()["status"] == "ok"


def test_a_session_from_one_instance_works_on_the_other(pair):
    name, session = signup_on(pair, pair.a.base, fresh_address())
    for base in itertools.islice(pair.alternate(), 4):
        r = pair.http.get(f"{base}/api/profile", headers=session)
        assert r.status_code == 200, r.text
    r = pair.http.post(
        f"{pair.b.base}/api/auth/login", json={"username": name, "password": PASSWORD}
    )
    assert r.status_code == 200
    other = {"Cookie": session_cookie(r)}
    assert pair.http.get(f"{pair.a.base}/api/profile", headers=other).status_code == 200


def test_a_replayed_check_in_is_stored_once_whichever_instance_gets_it(pair):
    _, session = signup_on(pair, pair.a.base, fresh_address())
    items = pair.http.get(f"{pair.a.base}/api/questionnaires/weekly").json()["items"]
    body = {"client_id": str(uuid.uuid4()), "answers": middling_answers(items)}
    first = pair.http.post(f"{pair.a.base}/api/checkins", json=body, headers=session)
    again = pair.http.post(f"{pair.b.base}/api/checkins", json=body, headers=session)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]

    # The same new check-in sent to both at once (a phone retrying through the balancer).
    race = {"client_id": str(uuid.uuid4()), "answers": middling_answers(items)}
    bases = list(itertools.islice(pair.alternate(), 8))

    def send(base: str) -> tuple[int, str]:
        with httpx2.Client(timeout=30) as c:
            r = c.post(f"{base}/api/checkins", json=race, headers=session)
            return r.status_code, r.json()["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, bases))
    assert sorted(code for code, _ in results) == [200] * 7 + [201]
    assert len({checkin_id for _, checkin_id in results}) == 1
    for client_id in (body["client_id"], race["client_id"]):
        count = pair.sql("SELECT count(*) FROM checkin WHERE client_id = :c", c=client_id)
        assert count == 1


def test_failed_sign_ins_count_across_instances(pair):
    name, _ = signup_on(pair, pair.b.base, fresh_address())
    wrong = {"username": name, "password": "not the passphrase at all"}
    for base in itertools.islice(pair.alternate(), LOGIN_FAILURES):
        assert pair.http.post(f"{base}/api/auth/login", json=wrong).status_code == 401
    for base in (pair.a.base, pair.b.base):
        right = pair.http.post(
            f"{base}/api/auth/login", json={"username": name, "password": PASSWORD}
        )
        assert right.status_code == 429
        assert int(right.headers["Retry-After"]) > 0


def test_the_signup_limit_is_shared(pair):
    address = fresh_address()
    for base in itertools.islice(pair.alternate(), SIGNUP_LIMIT):
        signup_on(pair, base, address)
    for base in (pair.a.base, pair.b.base):
        r = pair.http.post(
            f"{base}/api/auth/signup",
            json={"username": f"u{uuid.uuid4().hex[:10]}", "password": PASSWORD},
            headers=address,
        )
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_signing_out_on_one_instance_ends_the_session_on_the_other(pair):
    _, session = signup_on(pair, pair.a.base, fresh_address())
    assert pair.http.get(f"{pair.b.base}/api/profile", headers=session).status_code == 200
    assert pair.http.post(f"{pair.a.base}/api/auth/logout", headers=session).status_code == 200
    assert pair.http.get(f"{pair.b.base}/api/profile", headers=session).status_code == 401
    assert pair.http.get(f"{pair.a.base}/api/profile", headers=session).status_code == 401
