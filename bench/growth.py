"""Growth: how list, summary and submit latency change with an account's history.

    uv run python -m bench.growth                  # SQLite and PostgreSQL
    uv run python -m bench.growth --db sqlite --repeat 10

One account per size (10, 52 and 520 weekly check-ins, entered through the API with past
`taken_at`), against a live uvicorn. For each: GET /api/checkins?limit=20 (keyset page),
GET /api/summary (the trend since therapy started), and POST /api/checkins (evaluated
against the whole history). Prints median ms and, per step, the latency ratio next to
the size ratio: nothing may grow faster than the history it reads (latency ratio <= size
ratio), and the page of 20 should hardly grow at all.
"""

from __future__ import annotations

import argparse
import itertools
import math
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import httpx2

from tests.support.accounts import middling_answers, questionnaire_items, signup
from tests.support.databases import database, postgres_available
from tests.support.live_server import live_server

SIZES = (10, 52, 520)
SUBMITS = 9  # each adds a check-in, so few; their median sits at size + 4


def timed(fn: Callable[[], httpx2.Response], repeat: int) -> float:
    """Median milliseconds of `repeat` calls (after one warm-up)."""
    assert fn().status_code < 300
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = fn()
        samples.append(time.perf_counter() - t0)
        assert r.status_code < 300, r.text
    return statistics.median(samples) * 1000


def fill(http: httpx2.Client, base: str, size: int, answers: dict[str, int]) -> dict[str, str]:
    session = signup(http, base)
    started = date.today() - timedelta(weeks=size + 2)
    r = http.put(
        f"{base}/api/profile",
        json={"therapy_started_on": started.isoformat(), "on_medication": False, "country": "GB"},
        headers=session,
    )
    assert r.status_code < 300, r.text
    now = datetime.now(UTC)
    for week in range(size, 0, -1):  # oldest first, as a year of use would
        body = {
            "client_id": str(uuid.uuid4()),
            "answers": answers,
            "taken_at": (now - timedelta(weeks=week)).isoformat(),
        }
        r = http.post(f"{base}/api/checkins", json=body, headers=session)
        assert r.status_code == 201, r.text
    return session


def latencies(
    http: httpx2.Client, base: str, session: dict[str, str], answers: dict[str, int], repeat: int
) -> dict[str, float]:
    def page() -> httpx2.Response:
        return http.get(f"{base}/api/checkins", params={"limit": 20}, headers=session)

    def summary() -> httpx2.Response:
        return http.get(f"{base}/api/summary", headers=session)

    def submit() -> httpx2.Response:
        body = {"client_id": str(uuid.uuid4()), "answers": answers}
        return http.post(f"{base}/api/checkins", json=body, headers=session)

    return {
        "list": timed(page, repeat),
        "summary": timed(summary, repeat),
        "submit": timed(submit, SUBMITS),
    }


def measure(kind: str, repeat: int) -> dict[int, dict[str, float]]:
    figures: dict[int, dict[str, float]] = {}
    with database(kind) as url, live_server(url) as base:
        http = httpx2.Client(timeout=60)
        answers = middling_answers(questionnaire_items(http, base))
        for size in SIZES:
            session = fill(http, base, size, answers)
            r = http.get(f"{base}/api/summary", headers=session)
            assert r.json()["checkin_count"] == size, r.json()["checkin_count"]
            figures[size] = latencies(http, base, session, answers, repeat)
        http.close()
    return figures


def report(kind: str, figures: dict[int, dict[str, float]]) -> bool:
    ok = True
    print(f"{kind}: median ms by check-ins in the account")
    print(f"  {'check-ins':>9s} {'list(20)':>9s} {'summary':>9s} {'submit':>9s}")
    for size, f in figures.items():
        print(f"  {size:9d} {f['list']:9.1f} {f['summary']:9.1f} {f['submit']:9.1f}")
    for small, large in itertools.pairwise(SIZES):
        grow = large / small
        ratios = {k: figures[large][k] / figures[small][k] for k in ("list", "summary", "submit")}
        verdict = "ok" if all(r <= grow for r in ratios.values()) else "FASTER THAN LINEAR"
        ok &= verdict == "ok"
        # Scaled to a tenfold history, so both steps compare: linear growth reads x10.
        per10 = {k: r ** (1 / math.log10(grow)) for k, r in ratios.items()}
        print(
            f"  {small}->{large} (size x{grow:.1f}): "
            + "  ".join(f"{k} x{r:.2f}" for k, r in ratios.items())
            + "   per 10x: "
            + "  ".join(f"{k} x{r:.2f}" for k, r in per10.items())
            + f"   {verdict}"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    ok = True
    for kind in kinds:
        if kind == "postgres" and not postgres_available():
            print("postgres: not available, skipped")
            continue
        ok &= report(kind, measure(kind, args.repeat))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
