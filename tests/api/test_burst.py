"""After a burst of submits, the server answers everyone at once: no stall, no pool timeout.

The sequence that once stalled one worker for 30 s: 50 accounts submit check-ins as fast
as they can, then 50 clients ask at the same moment for `/healthz` and for
`/api/summary`. Each follow-up must succeed within 2 s. The same again with sessions
whose last-seen time is older than the refresh interval (set in the database), so every
request also refreshes it. On SQLite and on PostgreSQL, against a live uvicorn.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest

from tests.support.accounts import middling_answers, questionnaire_items, signup
from tests.support.databases import database, postgres_available
from tests.support.live_server import live_server
from tests.support.wrk import age_sessions, wrk, wrk_script

pytestmark = [pytest.mark.slow, pytest.mark.own_databases]

CLIENTS = 50
BURST_SECONDS = 4.0
FOLLOW_UP_LIMIT = 2.0


def _kinds() -> list[object]:
    return ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=_kinds(), scope="module")
def served(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[str, str, list[dict[str, str]]]]:
    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is required in CI (apt-get install wrk)")
        pytest.skip("wrk not installed (apt-get install wrk)")
    if request.param == "postgres" and not postgres_available():
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required but unreachable")
        pytest.skip("PostgreSQL not available")
    with database(request.param) as url, live_server(url) as base, httpx2.Client(timeout=30) as c:
        # One account per client, as people are; sign-ups side by side (argon2 frees the GIL).
        with ThreadPoolExecutor(4) as pool:
            accounts = list(pool.map(lambda _: signup(c, base), range(CLIENTS)))
        yield base, url, accounts


def _burst(base: str, cookies: list[str], answers: dict[str, int]) -> dict[str, float]:
    """50 connections submit check-ins back to back for BURST_SECONDS, with wrk.

    When wrk stops, the submits still in flight are left to the server: the follow-ups
    arrive while the server still works on them, as they do after a real burst.
    """
    return wrk(base, wrk_script(cookies, "POST", "/api/checkins", answers), BURST_SECONDS)


def _follow_up(base: str, path: str, accounts: list[dict[str, str]]) -> list[str]:
    """50 requests released together; the failures (status or over the limit), if any."""
    gate = threading.Barrier(CLIENTS)

    def one(headers: dict[str, str]) -> str | None:
        with httpx2.Client(base_url=base, headers=headers, timeout=FOLLOW_UP_LIMIT) as c:
            gate.wait()
            start = time.monotonic()
            try:
                r = c.get(path)
            except httpx2.TimeoutException:
                return f"{path}: no answer within {FOLLOW_UP_LIMIT} s"
            except httpx2.HTTPError as exc:
                return f"{path}: {exc!r}"
            took = time.monotonic() - start
            if r.status_code != 200:
                return f"{path}: {r.status_code} {r.text[:120]}"
            if took > FOLLOW_UP_LIMIT:
                return f"{path}: {took:.2f} s"
            return None

    with ThreadPoolExecutor(CLIENTS) as pool:
        return [problem for problem in pool.map(one, accounts) if problem]


@pytest.mark.parametrize("aged", [False, True], ids=["fresh-sessions", "aged-sessions"])
def test_everyone_is_answered_right_after_a_burst(
    served: tuple[str, str, list[dict[str, str]]], aged: bool
) -> None:
    base, url, accounts = served
    with httpx2.Client(timeout=30) as c:
        answers = middling_answers(questionnaire_items(c, base))
    if aged:
        age_sessions(url)
    burst = _burst(base, [a["Cookie"] for a in accounts], answers)
    if aged:
        age_sessions(url)
    problems = _follow_up(base, "/healthz", accounts)
    problems += _follow_up(base, "/api/summary", accounts)
    assert not problems, f"{len(problems)} of {2 * CLIENTS} failed: {problems[:5]}"
    assert burst["ok"] > 0 and burst["non_2xx"] == 0, burst
