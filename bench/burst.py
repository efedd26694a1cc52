"""Follow-up throughput right after a burst of submits, beside a fresh server's, in one run.

    uv run python -m bench.burst                      # SQLite and PostgreSQL
    uv run python -m bench.burst --db sqlite --burst 15 --follow 10

For each database: one uvicorn worker, 50 accounts. First the fresh server: 50 clients
ask for `GET /healthz`, then for `GET /api/summary`, for `--follow` seconds each. Then
50 clients submit check-ins as fast as they can for `--burst` seconds, and the same two
follow-ups run straight after. Then the sessions' last-seen time is set an hour back
(each request must refresh it) and burst and follow-ups run again. Load comes from wrk
(`apt-get install wrk`), one cookie per account, a fresh client_id per submit.
"""

from __future__ import annotations

import argparse
import shutil
import sys

import httpx2

from tests.support.accounts import middling_answers, questionnaire_items, signup
from tests.support.databases import database, postgres_available, sqlite_database
from tests.support.live_server import live_server
from tests.support.wrk import CLIENTS, age_sessions, wrk, wrk_script

BARE = "bench.load:bare_app"


def bare(follow: float) -> None:
    """The floor on this machine: a bare FastAPI /healthz under the same load and flags."""
    with sqlite_database() as url, live_server(url, app=BARE) as base:
        r = wrk(base, wrk_script(["a=b"], "GET", "/healthz", {}), follow)
        print(f"bare FastAPI GET /healthz: {r['ok_per_s']:.1f} ok/s", flush=True)


def run(kind: str, burst: float, follow: float) -> None:
    with database(kind) as url, live_server(url) as base, httpx2.Client(timeout=30) as c:
        cookies = [signup(c, base)["Cookie"] for _ in range(CLIENTS)]
        answers = middling_answers(questionnaire_items(c, base))

        def follow_ups(label: str) -> None:
            for path in ("/healthz", "/api/summary"):
                r = wrk(base, wrk_script(cookies, "GET", path, answers), follow)
                print(
                    f"  {label:<28} GET {path:<13} {r['ok_per_s']:7.1f} ok/s"
                    f"  (non-2xx {r['non_2xx']}, timeouts {r['timeouts']})",
                    flush=True,
                )

        print(f"{kind}: one uvicorn worker, {CLIENTS} clients", flush=True)
        follow_ups("fresh server")
        for aged in (False, True):
            if aged:
                age_sessions(url)
            r = wrk(base, wrk_script(cookies, "POST", "/api/checkins", answers), burst)
            what = "sessions aged 1 h" if aged else "sessions fresh"
            print(
                f"  burst ({what}): {r['ok_per_s']:.1f} submits/s for {burst:g} s"
                f"  (non-2xx {r['non_2xx']}, timeouts {r['timeouts']})",
                flush=True,
            )
            if aged:
                age_sessions(url)
            follow_ups(f"after burst ({what})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--burst", type=float, default=15)
    parser.add_argument("--follow", type=float, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    bare(args.follow)
    for kind in kinds:
        if kind == "postgres" and not postgres_available():
            print("postgres: not available, skipped")
            continue
        run(kind, args.burst, args.follow)


if __name__ == "__main__":
    main()
