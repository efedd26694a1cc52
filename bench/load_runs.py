"""bench/load.py's measurements: each one wrk run against each checkout, back to back."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.load_accounts import (
    Account,
    accounts,
    answers_for,
    build_history,
    clones,
    copy_history,
    history_depth,
    refreshed_sessions,
    template,
    user_ids,
)
from bench.load_setup import Checkout, app_server, bare_server, cpu_seconds, fresh_database, settle
from bench.load_table import BARE, Figure, Table
from tests.support.live_server import Server
from tests.support.wrk import CLIENTS, age_sessions, run_wrk

LEAN = "lean POST (pydantic + sqlite3 insert, commit)"
SAT = "1. saturation: 50 connections, 50 accounts, one worker"
PACED = "2. paced submits ({rate:g} starts/s over 50 connections), one worker"
DEPTH = "3. history: every account holding this many check-ins, one worker"
AGED = "4. sessions last seen 1 h ago (each is refreshed on first use), one worker"
WORKERS = "5. two workers (uvicorn --workers 2)"
SIZES = (10, 52, 520)
AGED_BY = timedelta(hours=1)


def say(message: str) -> None:
    print(f"  [{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def short(seconds: float) -> int:
    """Submits measured at a history depth run shorter: each adds to that history."""
    return max(2, round(seconds / 3))


def hit(
    server: Server,
    group: list[Account],
    method: str,
    path: str,
    answers: dict[str, int],
    seconds: float,
    *,
    rate: float | None = None,
) -> Figure:
    """One wrk run; then wait for the server to finish what wrk left in flight."""
    assert server.proc is not None
    cookies = [a.cookie for a in group] or ["bench=1"]
    before = cpu_seconds(server.proc.pid)
    stats = run_wrk(server.base, cookies, method, path, answers, seconds, rate=rate)
    cpu = (cpu_seconds(server.proc.pid) - before) / stats.seconds
    settle(server)
    return Figure(stats, cpu, paced=rate is not None)


@dataclass
class Target:
    """One checkout's app on its own database of one kind."""

    checkout: Checkout
    url: str
    server: Server
    answers: dict[str, int]
    groups: dict[str, list[Account]]

    def get(self, group: str, path: str, seconds: float) -> Figure:
        return hit(self.server, self.groups[group], "GET", path, self.answers, seconds)

    def submit(
        self, group: str, seconds: float, depth: int = 0, rate: float | None = None
    ) -> Figure:
        members = self.groups[group]
        fig = hit(self.server, members, "POST", "/api/checkins", self.answers, seconds, rate=rate)
        fig.note = f"history {depth}->{depth + fig.stats.ok / len(members):.0f}"
        return fig

    def paced(self, seconds: float, rate: float) -> Figure:
        fig = self.submit("paced", seconds, rate=rate)
        fig.note += f", max {fig.stats.max:.0f} ms"
        return fig

    def aged(self, seconds: float) -> Figure:
        since = datetime.now(UTC)
        age_sessions(self.url, AGED_BY)
        fig = self.submit("aged", seconds)
        fresh = refreshed_sessions(self.url, self.groups["aged"], since)
        fig.note += f", {fresh}/{CLIENTS} sessions refreshed"
        return fig


def prepare(stack: ExitStack, checkout: Checkout, kind: str, history: dict[str, Any]) -> Target:
    """The checkout's server on a new database, with its accounts and their histories."""
    url = stack.enter_context(fresh_database(kind, checkout))
    server = app_server(checkout, url)
    stack.callback(server.stop)
    answers = answers_for(server.base)
    say(f"{kind}, {checkout.label}: {CLIENTS} sign-ups")
    fresh = accounts(server.base, CLIENTS)
    user_ids(url, fresh)
    if "export" not in history:
        say(f"{kind}, {checkout.label}: {max(SIZES)} check-ins through the API, once")
        history["export"] = build_history(server.base, answers, max(SIZES))
    source = template(server.base, url, fresh[0], history["export"])
    groups = {"fresh": fresh}
    for name in ("paced", "aged", *map(str, SIZES)):
        groups[name] = clones(url, fresh[0], CLIENTS)
    for size in SIZES:
        copy_history(url, source, groups[str(size)], size)
        got = history_depth(server.base, groups[str(size)][-1])
        assert got == size, f"seeded {size} check-ins, the summary counts {got}"
    settle(server)
    return Target(checkout, url, server, answers, groups)


def run_bare(
    table: Table, columns: list[Checkout], answers: dict[str, int], seconds: float
) -> None:
    with ExitStack() as stack:
        servers = {}
        for c in columns:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            servers[c.label] = bare_server(c, folder / "lean.db")
            stack.callback(servers[c.label].stop)
        for label, path in ((BARE, "/api/checkins"), (LEAN, "/lean")):
            for c in columns:
                say(f"{label}, {c.label}")
                figure = hit(servers[c.label], [], "POST", path, answers, seconds)
                table.add(SAT, label, c.label, figure)


def run_kind(
    table: Table,
    columns: list[Checkout],
    kind: str,
    seconds: float,
    rate: float,
    history: dict[str, Any],
) -> None:
    """Every measurement on one kind of database, each checkout in turn."""
    with ExitStack() as stack:
        targets = [prepare(stack, c, kind, history) for c in columns]
        if table.bare(columns[0].label) is None:
            run_bare(table, columns, targets[0].answers, seconds)

        def each(section: str, label: str, measure: Callable[..., Figure], *args: Any) -> None:
            for t in targets:
                say(f"{kind}: {label}, {t.checkout.label}")
                table.add(section, f"{kind}: {label}", t.checkout.label, measure(t, *args))

        each(SAT, "POST /api/checkins", Target.submit, "fresh", seconds)
        for path in ("/api/summary", "/checkin", "/"):
            each(SAT, f"GET {path} (10 check-ins)", Target.get, "10", path, seconds)
        each(PACED.format(rate=rate), "POST /api/checkins", Target.paced, seconds, rate)
        for size in SIZES[1:]:
            label = f"GET /api/summary, {size} check-ins"
            each(DEPTH, label, Target.get, str(size), "/api/summary", seconds)
        for size in SIZES:
            label = f"POST /api/checkins, {size} check-ins"
            each(DEPTH, label, Target.submit, str(size), short(seconds), size)
        each(AGED, "POST /api/checkins", Target.aged, seconds)

        for t in targets:
            t.server.stop()
            t.server = app_server(t.checkout, t.url, workers=2)
            stack.callback(t.server.stop)
            t.groups["two"] = clones(t.url, t.groups["fresh"][0], CLIENTS)
        one = table.rows[(SAT, f"{kind}: POST /api/checkins")]

        def two(t: Target) -> Figure:
            fig = t.submit("two", seconds)
            ratio = fig.stats.ok_per_s / one[t.checkout.label].stats.ok_per_s
            fig.note = f"{ratio:.2f}x one worker, {fig.note}"
            return fig

        each(WORKERS, "POST /api/checkins", two)
