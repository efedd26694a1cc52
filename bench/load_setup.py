"""What bench/load.py measures against: a checkout, its server and its database.

A checkout is a folder with this app in it (this one, or another worktree for a
before/after comparison). Its server runs with the uvicorn options of its `make run` (as
`make -n run` prints them) but one worker unless asked, from the checkout's own code
(`--app-dir`), on a database brought to the checkout's own migration head.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.live_server import APP, Server
from tests.support.migrations import migrate

ROOT = Path(__file__).resolve().parents[1]
# `make run` as of this writing, for a Makefile whose run target can't be read.
FALLBACK_FLAGS = (
    "--proxy-headers --forwarded-allow-ips '' --no-access-log "
    "--http h11 --h11-max-incomplete-event-size 16384"
)
# Set by Server itself, or by the bench per run.
DROPPED = {"--host", "--port", "--workers", "--uds", "--fd", "--app-dir", "--reload"}
VALUELESS = {"--reload"}


@dataclass
class Checkout:
    label: str
    path: Path
    flags: list[str]
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @classmethod
    def at(cls, label: str, path: Path) -> Checkout:
        if not (path / "app" / "main.py").is_file():
            raise SystemExit(f"{path}: no app/main.py, not a checkout of this app")
        flags, env, note = run_flags(path)
        return cls(label, path.resolve(), flags, env, note)


def run_flags(checkout: Path) -> tuple[list[str], dict[str, str], str]:
    """uvicorn's options in `make run` (as `make -n` expands it), less those the bench sets."""
    try:
        dry = subprocess.run(
            ["make", "-n", "--no-print-directory", "-C", str(checkout), "run"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        line = next(ln for ln in dry.splitlines() if "uvicorn" in ln and APP in ln)
        words = shlex.split(line)
    except (OSError, subprocess.TimeoutExpired, StopIteration, ValueError):
        words = []
    if "uvicorn" not in words:
        fallback = shlex.split(FALLBACK_FLAGS)
        return fallback, {}, f"no `uvicorn {APP}` in `make -n run`; used {fallback}"
    at = words.index("uvicorn")
    env = dict(w.split("=", 1) for w in words[:at] if re.match(r"^\w+=", w))
    env.pop("WEB_CONCURRENCY", None)
    flags, rest = [], [w for w in words[at + 1 :] if w not in (APP, "--factory")]
    dropped: dict[str, str] = {}
    waiting = ""  # a dropped option whose value is the next word
    for word in rest:
        name, _, value = word.partition("=")
        if waiting:
            dropped[waiting], waiting = word, ""
        elif name in DROPPED:
            dropped[name] = value
            waiting = "" if value or name in VALUELESS else name
        else:
            flags.append(word)
    workers = dropped.get("--workers")
    return flags, env, f"`make run` starts {workers} workers" if workers else ""


def migrate_checkout(checkout: Checkout, url: str) -> None:
    """The checkout's own migrations: its head may differ from this one's."""
    if checkout.path == ROOT:
        migrate(url)
        return
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=checkout.path,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


@contextmanager
def fresh_database(kind: str, checkout: Checkout) -> Iterator[str]:
    if kind == "postgres":
        url = create_postgres_database("checkin_load_")
        try:
            migrate_checkout(checkout, url)
            yield url
        finally:
            drop_postgres_database(url)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'checkin.db'}"
            migrate_checkout(checkout, url)
            yield url


def app_server(checkout: Checkout, url: str, workers: int = 1) -> Server:
    extra = ("--app-dir", str(checkout.path), *checkout.flags)
    if workers > 1:
        extra += ("--workers", str(workers))
    return Server(url, app=APP, env=checkout.env, extra_args=extra).start()


def bare_server(checkout: Checkout, lean_db: Path) -> Server:
    """This checkout's bench.load:bare_app, with the flags `checkout` runs its app with."""
    env = {**checkout.env, "BENCH_LEAN_DB": str(lean_db)}
    return Server(
        f"sqlite:///{lean_db}", app="bench.load:bare_app", env=env, extra_args=tuple(checkout.flags)
    ).start()


def cpu_seconds(pid: int) -> float:
    """CPU time so far of a process and its children (uvicorn's workers)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def settle(server: Server, timeout: float = 300.0) -> None:
    """Wait until the server is idle: after wrk stops, the requests it left in flight
    are still worked on, and would be counted against the next run."""
    assert server.proc is not None
    deadline = time.monotonic() + timeout
    last = cpu_seconds(server.proc.pid)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = cpu_seconds(server.proc.pid)
        if now - last < 0.3 * 0.05:
            return
        last = now
