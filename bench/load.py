"""Load: this app on one uvicorn worker against a bare FastAPI endpoint, driven by wrk.

    make bench-load BENCH_ARGS="--seconds 10"          # SQLite and PostgreSQL
    uv run python -m bench.load --db sqlite --seconds 5
    uv run python -m bench.load --compare /tmp/before  # that checkout and this one
    uv run python -m bench.load --app-dir /tmp/before  # only that checkout
    uv run --with pyinstrument python -m bench.load --profile   # where a submit's time goes

wrk (`apt-get install wrk`) keeps 50 connections busy with 50 accounts, one cookie each
in turn, and a fresh client_id per submit. The server runs as the checkout's `make run`
starts it (its uvicorn flags, its code through --app-dir, its own migrations), one worker
unless said. All in one run, printed as one table with each throughput's ratio to bare
FastAPI's (bench/load_runs.py says how each figure is made):

1. saturation: bare FastAPI (a hello POST), a lean endpoint (pydantic body + one sqlite3
   insert and commit), POST /api/checkins, GET /api/summary, GET /checkin and GET /
2. latency under a paced submit load (--rate, 190 starts/s): p50, p99, non-2xx
3. summary and submit with 10, 52 and 520 check-ins in every account
4. submits with every session last seen an hour ago (past the 5-minute refresh)
5. submits on two workers (uvicorn --workers 2)

With --compare the table holds both checkouts, each measurement run on one and then at
once on the other, so that a change in the machine's load hits both columns alike. The
load generator shares the machine with the server: read the figures as "this machine",
the ratios as the result.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from bench.load_runs import run_kind, short
from bench.load_setup import ROOT, Checkout
from bench.load_table import Table
from tests.support.databases import postgres_available
from tests.support.wrk import CLIENTS


class EchoIn(BaseModel):
    client_id: str
    answers: dict[str, int]
    note: str | None = None


def bare_app() -> FastAPI:
    """The floor: FastAPI answering the same body with no database (`/api/checkins`), and
    with one sqlite3 insert and commit (`/lean`, in $BENCH_LEAN_DB)."""
    app = FastAPI()
    lean_db = os.environ.get("BENCH_LEAN_DB") or str(Path(tempfile.mkdtemp()) / "lean.db")
    with closing(sqlite3.connect(lean_db)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS lean (id INTEGER PRIMARY KEY, "
            "client_id TEXT NOT NULL UNIQUE, answers TEXT NOT NULL)"
        )
    local = threading.local()

    def connection() -> sqlite3.Connection:
        # One connection a worker thread, with the app's SQLite settings.
        if getattr(local, "conn", None) is None:
            local.conn = sqlite3.connect(lean_db, isolation_level=None, timeout=5)
            local.conn.execute("PRAGMA synchronous=NORMAL")
        conn: sqlite3.Connection = local.conn
        return conn

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/checkins", status_code=201)
    def echo(body: EchoIn) -> dict[str, Any]:
        return {"client_id": body.client_id, "answers": body.answers}

    @app.post("/lean", status_code=201)
    def lean(body: EchoIn) -> dict[str, Any]:
        conn = connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO lean (client_id, answers) VALUES (?, ?)",
                (body.client_id, json.dumps(body.answers)),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return {"client_id": body.client_id, "answers": body.answers}

    return app


def describe(c: Checkout) -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "--no-optional-locks", "-C", str(c.path), *args],
            capture_output=True,
            text=True,
        ).stdout.strip()

    changed = len(git("status", "--porcelain").splitlines())
    state = f"{changed} paths changed or new since the commit" if changed else "clean"
    return f"{c.label}: commit {git('log', '-1', '--format=%h %ad', '--date=iso')} ({state})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 10)), help="a run"
    )
    parser.add_argument("--rate", type=float, default=190, help="paced submits a second")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--compare", type=Path, help="another checkout, measured beside it")
    parser.add_argument("--profile", action="store_true", help="profile in-process instead")
    args = parser.parse_args()
    if args.profile:
        from bench.load_profile import profile

        profile()
        return
    if shutil.which("wrk") is None:
        sys.exit("bench.load needs wrk: apt-get install -y wrk")
    paths = [args.compare, args.app_dir] if args.compare else [args.app_dir]
    columns = [Checkout.at(f"{p.resolve()}", p) for p in paths]
    if len({c.label for c in columns}) < len(columns):
        sys.exit("--compare and --app-dir name the same checkout")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in kinds and not postgres_available():
        print("postgres: not available, skipped")
        kinds.remove("postgres")
    if not kinds:
        sys.exit("nothing to measure")

    started = datetime.now().astimezone()
    load = os.getloadavg()[0]
    table = Table([c.label for c in columns])
    history: dict[str, Any] = {}
    for kind in kinds:
        run_kind(table, columns, kind, args.seconds, args.rate, history)

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    print(
        f"bench.load, {started:%Y-%m-%d %H:%M %Z} to {datetime.now():%H:%M}: "
        f"{args.seconds:g} s a run ({short(args.seconds):g} s for submits in 3.), "
        f"{CLIENTS} connections, {os.cpu_count()} cores shared with the load generator, "
        f"load average {load:.1f} before and {os.getloadavg()[0]:.1f} after, "
        f"{wrk_version.split(' [')[0]}"
    )
    for c in columns:
        print(f"  {describe(c)}")
        print(f"    uvicorn {shlex.join(c.flags)}" + (f"  ({c.note})" if c.note else ""))
    print()
    print(table.render())
    print()
    print(
        "ok/s: 2xx answers a second; x bare: bare FastAPI's ok/s over this row's (how many\n"
        "times slower than the floor); p50/p99: ms from request written to answer read;\n"
        "cpu: uvicorn's CPU time over the run, in cores; not2xx: other answers and socket\n"
        "errors. history a->b: check-ins per account at the start and the end of the run.\n"
        "Requests carry Accept-Encoding: gzip, as browsers send it."
        + ("\nlast/first: the second column over the first." if len(columns) == 2 else "")
    )


if __name__ == "__main__":
    main()
