"""Crash durability, shared by bench/durability.py and its short form in the suite: a
server killed with SIGKILL again and again while writers keep checking in, then every
acknowledged check-in counted in the database and its integrity checked."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx2
from sqlalchemy import create_engine, text

from tests.support.accounts import middling_answers, questionnaire_items, signup
from tests.support.forked_server import ForkedServer
from tests.support.live_server import Server


@dataclass
class Report:
    kind: str
    kills: int
    writers: int
    seconds: float = 0.0
    restart_seconds: float = 0.0  # mean, from kill to healthy again
    acknowledged: int = 0
    replays: int = 0  # acknowledged by a 200: stored before the crash, the client never knew
    retries: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    unacknowledged_stored: int = 0
    integrity: str = ""
    anomalies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.duplicated == 0
            and self.unacknowledged_stored == 0
            and self.integrity.startswith("ok")
            and not self.anomalies
            and self.acknowledged > 0
        )

    def line(self) -> str:
        return (
            f"{self.kind:8s} kills {self.kills:3d}  writers {self.writers}  "
            f"{self.seconds:5.1f} s  restart {self.restart_seconds:.2f} s  "
            f"acknowledged {self.acknowledged}  "
            f"(of them replays after a crash {self.replays})  retries {self.retries}  "
            f"stored {self.stored}  lost {self.lost}  duplicated {self.duplicated}  "
            f"stored-unacknowledged {self.unacknowledged_stored}  "
            f"integrity {self.integrity}  anomalies {len(self.anomalies)}"
        )


class Writer(threading.Thread):
    def __init__(self, base: str, session: dict[str, str], answers: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.base, self.session, self.answers = base, session, answers
        self.stop = threading.Event()
        self.acked: list[str] = []
        self.replays = self.retries = 0
        self.anomalies: list[str] = []

    def run(self) -> None:
        client = httpx2.Client(timeout=10)
        n = 0
        while not self.stop.is_set():
            n += 1
            body = {"client_id": str(uuid.uuid4()), "answers": self.answers, "note": f"#{n}"}
            # Once sent, a check-in is retried until acknowledged, even after `stop`.
            while True:
                try:
                    r = client.post(f"{self.base}/api/checkins", json=body, headers=self.session)
                except httpx2.HTTPError:
                    r = None
                if r is not None and r.status_code in (200, 201):
                    if r.json().get("client_id") != body["client_id"]:
                        self.anomalies.append(f"wrong body for {body['client_id']}")
                    self.acked.append(str(body["client_id"]))
                    self.replays += r.status_code == 200
                    break
                if r is not None and r.status_code < 500:
                    self.anomalies.append(f"{r.status_code} {r.text[:120]}")
                    break
                self.retries += 1
                time.sleep(0.05)  # the server is down or restarting
        client.close()


def verify(url: str, report: Report, acked: list[str]) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = Counter(
                {
                    row[0]: row[1]
                    for row in conn.execute(
                        text("SELECT client_id, count(*) FROM checkin GROUP BY client_id")
                    )
                }
            )
            report.integrity = integrity(conn, url)
    finally:
        engine.dispose()
    acked_set = set(acked)
    report.stored = sum(counts.values())
    report.lost = len(acked_set - set(counts))
    report.duplicated = sum(1 for n in counts.values() if n > 1) + (len(acked) - len(acked_set))
    report.unacknowledged_stored = len(set(counts) - acked_set)


def integrity(conn: Any, url: str) -> str:
    problems: list[str] = []
    orphans = conn.execute(
        text(
            "SELECT count(*) FROM checkin c LEFT JOIN account a ON a.id = c.user_id "
            "WHERE a.id IS NULL"
        )
    ).scalar()
    if orphans:
        problems.append(f"{orphans} check-ins without an account")
    if url.startswith("sqlite"):
        problems += [r[0] for r in conn.execute(text("PRAGMA integrity_check")) if r[0] != "ok"]
        problems += [str(tuple(r)) for r in conn.execute(text("PRAGMA foreign_key_check"))]
        return "; ".join(problems) or "ok"
    # PostgreSQL: amcheck verifies each B-tree index against its invariants and the heap.
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    indexes = conn.execute(
        text(
            "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = 'public'"
        )
    ).scalars()
    for index in indexes:
        try:
            conn.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
        except Exception as exc:  # reported, not raised: the figure is the point
            problems.append(f"{index}: {exc}")
    conn.commit()
    return "; ".join(problems) or "ok (amcheck on every index)"


def run(
    url: str,
    kind: str,
    kills: int,
    writers: int = 8,
    cold: bool = False,
    gap: tuple[float, float] = (0.1, 0.5),
    seed: int | None = None,
) -> Report:
    """`kills` crashes of a server on the migrated database `url`; returns what was found."""
    rng = random.Random(seed)
    report = Report(kind=kind, kills=kills, writers=writers)
    server = (Server if cold else ForkedServer)(url)
    threads: list[Writer] = []
    started = time.monotonic()
    try:
        server.start()
        http = httpx2.Client(timeout=30)
        answers = middling_answers(questionnaire_items(http, server.base))
        threads = [Writer(server.base, signup(http, server.base), answers) for _ in range(writers)]
        http.close()
        for t in threads:
            t.start()
        downtime = 0.0
        for _ in range(kills):
            time.sleep(rng.uniform(*gap))
            down = time.monotonic()
            server.kill()
            server.start()
            downtime += time.monotonic() - down
        report.restart_seconds = downtime / max(kills, 1)
        time.sleep(gap[1])  # one more stretch of writing after the last restart
        for t in threads:
            t.stop.set()
        for t in threads:
            t.join(60)
            if t.is_alive():
                report.anomalies.append("a writer never got its last check-in acknowledged")
    finally:
        server.stop()
    report.seconds = time.monotonic() - started
    acked = [cid for t in threads for cid in t.acked]
    report.acknowledged = len(acked)
    report.replays = sum(t.replays for t in threads)
    report.retries = sum(t.retries for t in threads)
    report.anomalies = [a for t in threads for a in t.anomalies] + report.anomalies
    verify(url, report, acked)
    return report
