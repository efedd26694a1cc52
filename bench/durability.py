"""Crash durability: kill -9 the server again and again while clients keep checking in.

    uv run python -m bench.durability                 # 50 kills, SQLite and PostgreSQL
    uv run python -m bench.durability --kills 10 --db sqlite --writers 4

Each writer is a phone with its own account: it sends a check-in and, until it gets a
2xx, resends the same body with the same client_id (as the app's outbox does). The
server (one uvicorn worker) is killed with SIGKILL at random moments and restarted.
Afterwards every acknowledged check-in must be stored exactly once, nothing may be
stored that nobody was told about and then duplicated, and the database must pass its
integrity check (SQLite `PRAGMA integrity_check`; on PostgreSQL amcheck on every
B-tree index, plus consistency queries). Restarts fork from a warm parent
(`ForkedServer`) so 50 kills take a minute, not five; `--cold` starts a new interpreter.
"""

from __future__ import annotations

import argparse

from tests.support.databases import database, postgres_available
from tests.support.durability import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cold", action="store_true", help="restart with a new interpreter")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    failed = False
    for kind in kinds:
        if kind == "postgres" and not postgres_available():
            print("postgres: not available, skipped")
            continue
        with database(kind) as url:
            report = run(url, kind, args.kills, args.writers, cold=args.cold)
        print(report.line(), flush=True)
        for anomaly in report.anomalies[:10]:
            print("   ", anomaly)
        failed |= not report.ok
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
