"""Shared by the benches and the process-level tests: throwaway databases, a live uvicorn.

Everything stays on 127.0.0.1. Secure cookies aren't kept by an HTTP client over plain
http, so the `__Host-session` cookie is carried by hand (`session_cookie`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POSTGRES_ADMIN_URL = os.environ.get(
    "POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "a long and quiet harbour"  # noqa: S105  (throwaway accounts)
APP = "app.main:create_app"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def migrate(url: str) -> None:
    from tests.conftest import migrate as _migrate

    _migrate(url)


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@contextmanager
def postgres_database(migrated: bool = True) -> Iterator[str]:
    """A new PostgreSQL database on POSTGRES_ADMIN_URL's server, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"checkin_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def sqlite_database(folder: str | Path | None = None) -> Iterator[str]:
    """A new migrated SQLite file (in a temporary folder unless one is given)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(folder or tmp) / 'checkin.db'}"
        migrate(url)
        yield url


@contextmanager
def database(kind: str) -> Iterator[str]:
    """`sqlite` or `postgres`: a migrated throwaway database URL."""
    if kind == "postgres":
        with postgres_database() as url:
            yield url
    else:
        with sqlite_database() as url:
            yield url


class Server:
    """One uvicorn process (one worker) serving the app, restartable on the same port."""

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        app: str = APP,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.app = app
        self.extra_args = extra_args
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "development",
            # Benches and tests sign up many accounts from 127.0.0.1.
            "SIGNUPS_PER_HOUR_PER_ADDRESS": "100000",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="uvicorn-", suffix=".log")[1])

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
        log = self.log_path.open("ab")
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
                "--no-access-log",
                *self.extra_args,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.log()}")
            try:
                if httpx2.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not healthy after {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

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
        if self.proc is not None and self.proc.poll() is None:
            with suppress(subprocess.TimeoutExpired):
                self.terminate(10)
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


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
    """A Server whose restarts fork from a warm parent: for benches that restart a lot."""

    def __init__(self, database_url: str, **kwargs: Any) -> None:
        super().__init__(database_url, **kwargs)
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

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"server exited:\n{self.log()}")
            try:
                if httpx2.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"server not healthy after {timeout} s:\n{self.log()}")

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
        self.log_path.unlink(missing_ok=True)


def session_cookie(response: httpx2.Response) -> str:
    """`__Host-session=...` from a sign-up or sign-in response, for a Cookie header."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("__Host-session="):
            return header.split(";", 1)[0]
    raise AssertionError(f"no session cookie in {response.status_code} {response.text[:200]}")


def signup(client: httpx2.Client, base: str, username: str | None = None) -> dict[str, str]:
    """A new account; returns headers that carry its session."""
    name = username or f"u{uuid.uuid4().hex[:12]}"
    r = client.post(f"{base}/api/auth/signup", json={"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Cookie": session_cookie(r)}


def middling_answers(items: list[dict[str, Any]]) -> dict[str, int]:
    """Every unconditional required item one step above its minimum, and no risk answer."""
    return {
        i["id"]: i["min"] + (i["domain"] != "safety")
        for i in items
        if i["required"] and not i.get("when")
    }


def questionnaire_items(client: httpx2.Client, base: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"{base}/api/questionnaires/weekly").json()["items"]
    return items


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
