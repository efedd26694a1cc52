"""Parallel 100 MB sign-in bodies against one live server: its memory, and what it answers.

    uv run python -m bench.big_bodies
    uv run python -m bench.big_bodies --size-mb 100 --parallel 4 --app-dir /tmp/old-checkout

One uvicorn worker, started with the flags `make run` uses (h11 and its 16 KB bound on a
request's head). Each body is `{"username": "x", "password": "xxx…"}` made by a generator,
so the client never holds it, sent once chunked and once with its Content-Length declared.
Printed: the server's resident memory and its peak (VmRSS, VmHWM in /proc/<pid>/status)
before and after each round, and each answer's status, size and time. `--app-dir` serves
another checkout's `app` instead (`git archive HEAD | tar -x -C DIR`), to compare.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2

from tests.support.databases import sqlite_database
from tests.support.live_server import Server

CHUNK = 1024 * 1024
FLAGS = ("--http", "h11", "--h11-max-incomplete-event-size", "16384")


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) // 1024
    return found


def body(size: int) -> Iterator[bytes]:
    head, tail = b'{"username": "x", "password": "', b'"}'
    yield head
    left = size - len(head) - len(tail)
    block = b"x" * CHUNK
    while left > 0:
        yield block[: min(CHUNK, left)]
        left -= CHUNK
    yield tail


def send(base: str, size: int, declared: bool) -> str:
    headers = {"Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(size)
    started = time.perf_counter()
    try:
        with httpx2.Client(timeout=300) as client:
            r = client.post(f"{base}/api/auth/login", content=body(size), headers=headers)
        answer = f"{r.status_code}, {len(r.content):,} bytes"
    except httpx2.HTTPError as exc:
        answer = f"{type(exc).__name__}"
    return f"{answer} in {time.perf_counter() - started:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--app-dir", help="serve the `app` package of this folder instead")
    args = parser.parse_args()
    size = args.size_mb * 1024 * 1024
    extra = FLAGS + (("--app-dir", args.app_dir) if args.app_dir else ())
    with sqlite_database() as url:
        server = Server(url, extra_args=extra).start()
        try:
            assert server.proc is not None
            pid = server.proc.pid
            httpx2.post(f"{server.base}/api/auth/login", json={"username": "x", "password": "y"})
            print(f"{args.app_dir or 'this checkout'}: one uvicorn worker, pid {pid}")
            print(f"  warmed up: {memory(pid)}", flush=True)
            for declared in (False, True):
                how = "Content-Length declared" if declared else "chunked"
                n = args.parallel
                with ThreadPoolExecutor(n) as pool:
                    answers = list(pool.map(send, [server.base] * n, [size] * n, [declared] * n))
                print(f"  {args.parallel} x {args.size_mb} MB, {how}: {'; '.join(answers)}")
                print(f"    after: {memory(pid)}", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
