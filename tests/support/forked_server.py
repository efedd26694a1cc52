"""A live server whose restarts fork from a warm parent: for benches that restart a lot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from app.settings import ROOT
from tests.support.live_server import Server

# Imports the app once, then forks a fresh single-worker uvicorn per request: each child
# is a whole server process (its own engine, pool and event loop, created after the
# fork), but starts in a fraction of a second instead of re-importing everything.
_ZYGOTE = r"""
import os, signal, sys
import uvicorn
import app.main  # noqa: F401  (the slow part, done once)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
while line := sys.stdin.readline():
    port, log = line.split(maxsplit=1)
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        fd = os.open(log.strip(), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        uvicorn.run("app.main:create_app", factory=True, host="127.0.0.1", port=int(port),
                    log_level="warning", access_log=False)
        os._exit(0)
    print(pid, flush=True)
"""


class ForkedServer(Server):
    """A Server whose (re)starts are forks of one parent that imported the app already."""

    poll_interval = 0.02

    def __init__(self, database_url: str, **kwargs: Any) -> None:
        super().__init__(database_url, **kwargs)
        assert self.log_path is not None, "a forked server writes to a log file"
        self.zygote = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pid: int | None = None

    def launch(self) -> None:
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write(f"{self.port} {self.log_path}\n")
        self.zygote.stdin.flush()
        self.pid = int(self.zygote.stdout.readline())

    def alive(self) -> bool:
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def log(self) -> str:
        assert self.log_path is not None
        return self.log_path.read_text(errors="replace")[-4000:]

    def _signal_and_wait(self, sig: int, timeout: float) -> None:
        if not self.alive():
            return
        assert self.pid is not None
        os.kill(self.pid, sig)
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.005)
        self.pid = None

    def kill(self) -> None:
        self._signal_and_wait(signal.SIGKILL, 10)

    def terminate(self, timeout: float = 30.0) -> int:
        self._signal_and_wait(signal.SIGTERM, timeout)
        return 0

    def stop(self) -> None:
        try:
            self.terminate(10)
        except subprocess.TimeoutExpired:
            self.kill()
        if self.zygote.poll() is None:
            assert self.zygote.stdin is not None
            self.zygote.stdin.close()
            self.zygote.wait(10)
        if self.own_log and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
