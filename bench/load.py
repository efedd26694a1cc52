"""Load: concurrent clients submitting check-ins to one uvicorn worker, vs a bare endpoint.

    uv run python -m bench.load                       # 50 clients, 30 s per run
    uv run python -m bench.load --clients 10 --seconds 5 --db sqlite
    uv run --with pyinstrument python -m bench.load --profile   # where a submit's time goes

Each simulated client has its own account and session and posts a new check-in as soon
as the previous one is answered (closed loop, keep-alive). Runs: a bare FastAPI endpoint
(`bare_app` below, same uvicorn settings), then POST /api/checkins on SQLite and on
PostgreSQL (throwaway databases). Prints submits/s, p50/p99 latency and each ratio to
the bare run. Targets (one worker): p99 <= 100 ms at 50 clients and >= 300 submits/s.
The load generator shares the machine with the server, so it reports both processes'
CPU use too: read the figures as "this machine", not as the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from fastapi import FastAPI
from pydantic import BaseModel

from tests.support.accounts import (
    PASSWORD,
    middling_answers,
    questionnaire_items,
    session_cookie,
    signup,
)
from tests.support.databases import database, postgres_available
from tests.support.live_server import Server
from tests.support.migrations import migrate

WARMUP = 2.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


class EchoIn(BaseModel):
    client_id: str
    answers: dict[str, int]
    note: str | None = None


def bare_app() -> FastAPI:
    """The floor: FastAPI parsing and answering the same body, no database, no engine."""
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/checkins", status_code=201)
    def echo(body: EchoIn) -> dict[str, Any]:
        return {"client_id": body.client_id, "answers": body.answers}

    return app


@dataclass
class Result:
    name: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    server_cpu: float = 0.0  # share of one core
    client_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def line(self, bare: Result | None) -> str:
        p50 = percentile(self.latencies, 50) * 1000
        p99 = percentile(self.latencies, 99) * 1000
        ratio = ""
        if bare is not None and bare is not self:
            ratio = (
                f"  vs bare: {bare.rate / self.rate:4.1f}x fewer/s, "
                f"p50 {p50 / (percentile(bare.latencies, 50) * 1000):4.1f}x"
            )
        errors = f"  errors {dict(self.errors)}" if self.errors else ""
        return (
            f"{self.name:18s} {self.clients:3d} clients {self.seconds:4.0f} s  "
            f"{self.rate:7.1f} submits/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
            f"mean {statistics.fmean(self.latencies) * 1000:7.1f} ms  "
            f"cpu server {self.server_cpu:4.0%} client {self.client_cpu:4.0%}{ratio}{errors}"
        )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(
    name: str,
    base: str,
    sessions: list[dict[str, str]],
    answers: dict[str, int],
    seconds: float,
    server_pid: int,
    rate: float | None = None,
) -> Result:
    """Every client in a closed loop; only requests inside the measured window count.

    With `rate`, each client paces itself (think time) so that all of them together
    start about `rate` submits a second: latency below saturation, not at it.
    """
    result = Result(name, len(sessions), seconds)
    limits = httpx2.Limits(max_connections=len(sessions), max_keepalive_connections=len(sessions))
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        start = time.perf_counter()
        measure_from, measure_to = start + WARMUP, start + WARMUP + seconds
        marks: dict[str, float] = {}

        async def one(headers: dict[str, str], offset: float) -> None:
            interval = len(sessions) / rate if rate else 0.0
            due = start + offset * interval
            while (t0 := time.perf_counter()) < measure_to:
                if interval:
                    if due > t0:
                        await asyncio.sleep(due - t0)
                        t0 = time.perf_counter()
                    due += interval
                if "cpu" not in marks and t0 >= measure_from:
                    marks["cpu"] = 1
                    marks["server"], marks["client"] = cpu_seconds(server_pid), time.process_time()
                body = {"client_id": str(uuid.uuid4()), "answers": answers}
                try:
                    r = await client.post("/api/checkins", json=body, headers=headers)
                except httpx2.HTTPError as exc:
                    result.errors[type(exc).__name__] += 1
                    continue
                t1 = time.perf_counter()
                if r.status_code != 201:
                    result.errors[str(r.status_code)] += 1
                elif t0 >= measure_from and t1 <= measure_to:
                    result.latencies.append(t1 - t0)

        n = len(sessions)
        await asyncio.gather(*(one(h, i / n) for i, h in enumerate(sessions)))
        result.server_cpu = (cpu_seconds(server_pid) - marks["server"]) / seconds
        result.client_cpu = (time.process_time() - marks["client"]) / seconds
    return result


def run(kind: str, clients: int, seconds: float, rate: float | None) -> tuple[Result, int]:
    """One measured run; `kind` is bare, sqlite or postgres. Returns it and history depth."""
    with database("sqlite" if kind == "bare" else kind) as url:
        app = "bench.load:bare_app" if kind == "bare" else "app.main:create_app"
        # The process itself, not just its URL: its CPU time is part of the figures.
        server = Server(url, app=app)
        try:
            server.start()
            assert server.proc is not None
            http = httpx2.Client(base_url=server.base, timeout=30)
            if kind == "bare":
                items = [
                    {"id": f"q{i}", "min": 1, "domain": "x", "required": True} for i in range(12)
                ]
                sessions = [{} for _ in range(clients)]
            else:
                items = questionnaire_items(http, server.base)
                sessions = [signup(http, server.base) for _ in range(clients)]
            http.close()
            answers = middling_answers(items)
            name = "bare FastAPI" if kind == "bare" else f"check-in {kind}"
            name += f" @{rate:g}/s" if rate else ""
            result = asyncio.run(
                drive(name, server.base, sessions, answers, seconds, server.proc.pid, rate)
            )
        finally:
            server.stop()
    depth = round(result.rate * (seconds + WARMUP) / clients)
    return result, depth


@contextmanager
def quiet() -> Iterator[None]:
    """The app's request log still costs what it costs; it just isn't shown."""
    with open(os.devnull, "w") as sink, redirect_stderr(sink):
        yield


def profile(submits: int = 600, accounts: int = 20) -> None:
    """The whole request path of POST /api/checkins on one thread, under a profiler.

    Sync endpoints and dependencies normally run in anyio's worker threads, which a
    sampling profiler of the main thread can't see; here they run inline instead.
    """
    import anyio.to_thread

    async def inline(func: Any, *args: Any, **_: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    from app.main import create_app
    from app.settings import Settings, get_settings

    url = f"sqlite:///{tempfile.mkdtemp()}/profile.db"
    migrate(url)
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    app = create_app(Settings(DATABASE_URL=url))

    try:
        from pyinstrument import Profiler

        sampler: Any = Profiler(interval=0.0005)
        begin, end = sampler.start, sampler.stop
    except ImportError:
        import cProfile

        sampler = cProfile.Profile()
        begin, end = sampler.enable, sampler.disable

    async def go() -> None:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="https://testserver") as c:
            items = (await c.get("/api/questionnaires/weekly")).json()["items"]
            answers = middling_answers(items)
            cookies = []
            for _ in range(accounts):
                r = await c.post(
                    "/api/auth/signup",
                    json={"username": f"p{uuid.uuid4().hex[:10]}", "password": PASSWORD},
                )
                cookies.append(session_cookie(r))
            c.cookies.clear()
            started = time.perf_counter()
            begin()
            for i in range(submits):
                body = {"client_id": str(uuid.uuid4()), "answers": answers}
                r = await c.post(
                    "/api/checkins", json=body, headers={"Cookie": cookies[i % accounts]}
                )
                assert r.status_code == 201, r.text
            end()
            took = time.perf_counter() - started
            print(
                f"in-process, one thread: {submits} submits in {took:.2f} s = "
                f"{took / submits * 1000:.2f} ms each (history grows to "
                f"{submits // accounts} per account)"
            )

    with quiet():
        asyncio.run(go())
    if hasattr(sampler, "output_text"):
        for flat in (False, True):
            print(
                sampler.output_text(
                    unicode=False,
                    color=False,
                    flat=flat,
                    time="percent_of_total",
                    processor_options={"filter_threshold": 0.02},
                )
            )
    else:
        import pstats

        pstats.Stats(sampler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=int(os.environ.get("LOAD_CLIENTS", 50)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 30)))
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--rate", type=float, help="paced: all clients together start this many submits/s"
    )
    parser.add_argument("--profile", action="store_true", help="profile in-process instead")
    args = parser.parse_args()
    if args.profile:
        profile()
        return
    kinds = ["bare"] + (["sqlite", "postgres"] if args.db == "both" else [args.db])
    bare: Result | None = None
    for kind in kinds:
        if kind == "postgres" and not postgres_available():
            print("postgres: not available, skipped")
            continue
        result, depth = run(kind, args.clients, args.seconds, args.rate)
        bare = bare or result
        note = f"  (~{depth} check-ins per account by the end)" if kind != "bare" else ""
        print(result.line(bare) + note, flush=True)
    print(
        f"targets: p99 <= 100 ms at 50 clients, >= 300 submits/s; "
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
