"""A live uvicorn serving the app on 127.0.0.1: started, checked healthy, stopped.

`live_server(...)` is the way in: it yields the base URL. `Server` is the process behind
it, for the few callers that kill, restart or measure the process itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Literal

import httpx2

from app.settings import ROOT

APP = "app.main:create_app"

Output = Literal["temp", "inherit"] | Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(
    base: str,
    running: Callable[[], bool],
    *,
    timeout: float = 30.0,
    log: Callable[[], str] = lambda: "",
    interval: float = 0.05,
) -> None:
    """Poll `base`/healthz until it answers 200: give up when the process is gone or at the
    deadline, with the server's log in the error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running():
            raise RuntimeError(f"server exited:\n{log()}")
        try:
            if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"server not healthy after {timeout} s:\n{log()}")


class Server:
    """One uvicorn process (one worker) serving `app`, restartable on the same port.

    The environment is this process's, plus DATABASE_URL, ENVIRONMENT=development, room
    for many sign-ups from 127.0.0.1 (tests and benches make dozens), and then `env`.
    Output goes to a temporary log (its tail is in start-up errors), to this process's
    own stdout and stderr (`output="inherit"`), or to a file the caller keeps.
    """

    poll_interval = 0.05

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        app: str = APP,
        extra_args: tuple[str, ...] = (),
        access_log: bool = False,
        output: Output = "temp",
    ) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.app = app
        self.extra_args = extra_args
        self.access_log = access_log
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "development",
            "SIGNUPS_PER_HOUR_PER_ADDRESS": "100000",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.own_log = output == "temp"
        self.log_path: Path | None = None
        if output == "temp":
            fd, name = tempfile.mkstemp(prefix="uvicorn-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        elif isinstance(output, Path):
            self.log_path = output

    def start(self, timeout: float = 30.0) -> Server:
        self.launch()
        try:
            self.wait_healthy(timeout)
        except BaseException:
            self.kill()
            raise
        return self

    def launch(self) -> None:
        """Start the process without waiting (start several, then `wait_healthy` each)."""
        log: IO[bytes] | None = None if self.log_path is None else self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                self.app,
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                *(() if self.access_log else ("--no-access-log",)),
                *self.extra_args,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=None if log is None else subprocess.STDOUT,
        )
        if log is not None:
            log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_healthy(self, timeout: float = 30.0) -> None:
        wait_healthy(
            self.base, self.alive, timeout=timeout, log=self.log, interval=self.poll_interval
        )

    def log(self) -> str:
        status = "" if self.proc is None else f"exit status {self.proc.poll()}\n"
        if self.log_path is None:
            return status + "(output above)"
        return status + self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, no goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait: uvicorn's graceful shutdown. Returns the exit status."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def stop(self) -> None:
        """A graceful stop, and kill -9 if that takes more than 10 s."""
        if self.proc is not None and self.proc.poll() is None:
            with suppress(subprocess.TimeoutExpired):
                self.terminate(10)
        if self.own_log and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)


@contextmanager
def live_server(
    database_url: str,
    *,
    env: Mapping[str, str] | None = None,
    app: str = APP,
    extra_args: tuple[str, ...] = (),
    access_log: bool = False,
    output: Output = "temp",
    timeout: float = 30.0,
) -> Iterator[str]:
    """`uvicorn app.main:create_app --factory` on a free port (options as `Server`'s),
    healthy within `timeout` seconds; yields its base URL, stops it afterwards."""
    server = Server(
        database_url,
        env=env,
        app=app,
        extra_args=extra_args,
        access_log=access_log,
        output=output,
    )
    try:
        server.start(timeout)
        yield server.base
    finally:
        server.stop()
