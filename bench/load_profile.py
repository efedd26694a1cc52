"""Where a submit's time goes: the whole POST /api/checkins path on one thread, profiled.

uv run --with pyinstrument python -m bench.load --profile
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from typing import Any

import httpx2

from tests.support.accounts import PASSWORD, middling_answers, session_cookie
from tests.support.migrations import migrate


@contextmanager
def quiet() -> Iterator[None]:
    """The app's request log still costs what it costs; it just isn't shown."""
    with open(os.devnull, "w") as sink, redirect_stderr(sink):
        yield


def profile(submits: int = 600, accounts: int = 20) -> None:
    """Sync endpoints and dependencies normally run in anyio's worker threads, which a
    sampling profiler of the main thread can't see; here they run inline instead."""
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
