"""Several uvicorn workers on one SQLite file (`make run` and the image start one per core).

Each worker process has its own pool and its own writers' line; across processes the
writers meet at SQLite's write lock (WAL, BEGIN IMMEDIATE, busy_timeout). Check-ins sent
at once to every worker, and one check-in replayed at once, are each stored exactly once.
"""

from __future__ import annotations

import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest

from app.settings import Settings
from tests.support.accounts import middling_answers, questionnaire_items, signup
from tests.support.live_server import live_server

pytestmark = [pytest.mark.slow, pytest.mark.sqlite]
WORKERS = 2


def test_check_ins_sent_at_once_to_several_workers_are_each_stored_once(
    settings: Settings,
) -> None:
    if not settings.DATABASE_URL.startswith("sqlite"):
        pytest.skip("about SQLite's write lock across processes")
    env = {"DB_POOL_SIZE": "4", "DB_WAIT_SECONDS": "10"}
    args = ("--workers", str(WORKERS))
    with live_server(settings.DATABASE_URL, env=env, extra_args=args) as base:
        http = httpx2.Client(timeout=30)
        accounts = [signup(http, base) for _ in range(6)]
        answers = middling_answers(questionnaire_items(http, base))
        replayed = str(uuid.uuid4())
        sends = [(a, str(uuid.uuid4())) for a in accounts for _ in range(8)]
        sends += [(accounts[0], replayed)] * 8

        def send(job: tuple[dict[str, str], str]) -> int:
            headers, client_id = job
            with httpx2.Client(timeout=30) as c:
                body = {"client_id": client_id, "answers": answers}
                return c.post(f"{base}/api/checkins", json=body, headers=headers).status_code

        with ThreadPoolExecutor(max_workers=24) as pool:
            statuses = list(pool.map(send, sends))
        http.close()

    assert statuses[:48] == [201] * 48
    assert sorted(statuses[48:]) == [200] * 7 + [201]
    path = settings.DATABASE_URL.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM checkin").fetchone()[0] == 49
        assert conn.execute("SELECT count(DISTINCT client_id) FROM checkin").fetchone()[0] == 49
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
