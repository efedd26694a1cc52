"""What the Dockerfile and compose.yaml run, run here (no Docker engine on these machines).

The image's CMD (migrate, then uvicorn with a graceful-shutdown timeout) and its
HEALTHCHECK command run on the host against a SQLite file; compose's one-off migrate
command runs as well. SIGTERM while requests are in flight: they finish, then it exits.
Whose X-Forwarded-For the image and `make run` believe: by default nobody's.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml

from app.crypto import keyring_from_settings
from app.settings import Settings
from tests.support.accounts import PASSWORD, middling_answers, session_cookie
from tests.support.live_server import free_port, live_server, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def dockerfile_instructions(stage: str) -> dict[str, list[str]]:
    """Instruction -> arguments of one build stage, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            current = rest.split(" AS ")[-1].strip()
        if current == stage:
            found.setdefault(word.upper(), []).append(rest.strip())
    return found


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text()))


def image_env(database_url: str, port: int) -> dict[str, str]:
    env = {**os.environ}
    for assignment in dockerfile_instructions("runtime")["ENV"]:
        for pair in shlex.split(assignment):
            key, _, value = pair.partition("=")
            if key != "PATH":
                env[key] = value
    # The image's venv is /srv/.venv/bin on PATH; here it is this interpreter's.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="x" * 40,
        NOTES_KEYS=json.dumps({"k1": base64.urlsafe_b64encode(os.urandom(32)).decode()}),
        HOST="127.0.0.1",
        PORT=str(port),
        GRACEFUL_SHUTDOWN_SECONDS="20",
    )
    return env


def test_the_image_is_multi_stage_non_root_and_checks_health():
    builder, runtime = dockerfile_instructions("builder"), dockerfile_instructions("runtime")
    assert any("uv sync --frozen --no-dev" in run for run in builder["RUN"])
    assert any("/srv/.venv" in copy for copy in runtime["COPY"])
    assert not any("uv" in run.split() for run in runtime.get("RUN", []))
    assert runtime["USER"] == ["app"]
    assert "/healthz" in runtime["HEALTHCHECK"][0]
    cmd = json.loads(runtime["CMD"][0])
    assert "--timeout-graceful-shutdown" in cmd[-1] and "exec uvicorn" in cmd[-1]


def test_compose_runs_postgres_then_migrates_then_the_app():
    services = compose()["services"]
    db, migrate, app = services["db"], services["migrate"], services["app"]
    assert db["image"].startswith("postgres:16") and "pg_isready" in " ".join(
        db["healthcheck"]["test"]
    )
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("DATABASE_URL", "SECRET_KEY"):
        assert name in app["environment"] and name in migrate["environment"]
    assert app["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert any(v.endswith(":/srv/data") for v in app["volumes"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    grace = int(app["stop_grace_period"].rstrip("s"))
    assert grace > 20  # longer than the image's GRACEFUL_SHUTDOWN_SECONDS


def interpolate(value: str, given: dict[str, str]) -> str:
    """compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}`."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if given.get(name):
            return given[name]
        assert op != ":?", f"compose would stop: {name} is required ({arg})"
        return arg if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def test_compose_environment_makes_valid_production_settings(monkeypatch):
    given = {
        "POSTGRES_PASSWORD": "pw",
        "SECRET_KEY": "s" * 40,
        "NOTES_KEYS": json.dumps({"k1": base64.urlsafe_b64encode(os.urandom(32)).decode()}),
    }
    env = compose()["services"]["app"]["environment"]
    for name in list(Settings.model_fields):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, interpolate(str(value), given))
    settings = Settings(_env_file=None)
    assert settings.ENVIRONMENT == "production"
    assert settings.DATABASE_URL == "postgresql+psycopg://checkin:pw@db:5432/checkin"
    assert keyring_from_settings(settings).current == "k1"
    with pytest.raises(AssertionError, match="SECRET_KEY"):
        interpolate(env["SECRET_KEY"], {})


@pytest.fixture
def image_server(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[bytes], str, Path, Path]]:
    """compose's migrate command, then the image's CMD, on a fresh SQLite file (with
    WEB_CONCURRENCY workers when the test names a number, else the image's default)."""
    db = tmp_path / "checkin.db"
    port = free_port()
    env = image_env(f"sqlite:///{db}", port)
    workers = getattr(request, "param", None)
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    migrate = compose()["services"]["migrate"]["command"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            json.loads(dockerfile_instructions("runtime")["CMD"][0]),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, lambda: proc.poll() is None, timeout=60, log=log.read_text)
        yield proc, base, db, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("image_server", [1, 2], indirect=True, ids=["1 worker", "2 workers"])
def test_the_image_serves_passes_its_healthcheck_and_finishes_requests_on_sigterm(
    image_server, request
):
    proc, base, db, log = image_server
    workers = request.node.callspec.params["image_server"]
    http = httpx2.Client(timeout=30)
    assert http.get(f"{base}/readyz").json()["status"] == "ok"
    check = dockerfile_instructions("runtime")["HEALTHCHECK"][0].split(" CMD ", 1)[1]
    env = image_env("unused", int(base.rsplit(":", 1)[1]))
    assert subprocess.run(["/bin/sh", "-c", check], env=env, timeout=30).returncode == 0

    r = http.post(f"{base}/api/auth/signup", json={"username": "leaving", "password": PASSWORD})
    session = {"Cookie": session_cookie(r), "Content-Type": "application/json"}
    answers = middling_answers(http.get(f"{base}/api/questionnaires/weekly").json()["items"])

    # Each request sends its headers and half its body, then waits until SIGTERM is sent:
    # the server has started every one of them when it is told to stop.
    in_flight, release = threading.Semaphore(0), threading.Event()

    def slow_body(payload: bytes) -> Iterator[bytes]:
        yield payload[:20]
        in_flight.release()
        release.wait(30)
        yield payload[20:]

    def send(_: int) -> tuple[int, dict[str, Any], str]:
        client_id = str(uuid.uuid4())
        payload = json.dumps({"client_id": client_id, "answers": answers}).encode()
        with httpx2.Client(timeout=30) as c:
            r = c.post(f"{base}/api/checkins", content=slow_body(payload), headers=session)
            return r.status_code, r.json(), client_id

    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(send, i) for i in range(5)]
        for _ in futures:
            assert in_flight.acquire(timeout=30)
        time.sleep(0.3)  # the bytes are on the loopback; let the server's loop read them
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        # Shutting down: new connections are refused. With several workers the supervisor
        # keeps the listening socket until its workers are done, so a new connection
        # waits unanswered (and is reset when it exits) instead; README, "Sizing".
        unanswered = httpx2.ConnectError if workers == 1 else httpx2.TransportError
        while True:
            try:
                httpx2.get(f"{base}/healthz", timeout=1)
            except unanswered:
                break
            assert time.monotonic() < deadline, "server still answering after SIGTERM"
            time.sleep(0.05)
        assert proc.poll() is None  # ...but it waits for the requests it has
        release.set()
        results = [f.result(timeout=30) for f in futures]

    assert [status for status, _, _ in results] == [201] * 5
    assert all(body["client_id"] == cid and body["scores"] for _, body, cid in results)
    # One worker: uvicorn re-raises the SIGTERM once shut down cleanly (Docker reports
    # 143). Several: the supervisor stops its workers, waits for them and exits 0.
    assert proc.wait(30) == (-signal.SIGTERM if workers == 1 else 0)
    text = log.read_text()
    # A clean exit: no request was cut off by the graceful-shutdown timeout.
    assert "Finished server process" in text and "Cancel" not in text
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT client_id FROM checkin")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert {cid for _, _, cid in results} <= stored
    down = subprocess.run(["/bin/sh", "-c", check], env=env, timeout=30, capture_output=True)
    assert down.returncode != 0


def workers_the_image_starts(tmp_path: Path, quota: str | None, **env: str) -> int:
    """The CMD's `--workers` value, worked out by its own shell lines (a `cpu.max` of
    `quota` in place of the cgroup's, or none)."""
    cmd = json.loads(dockerfile_instructions("runtime")["CMD"][0])[-1]
    workers = re.search(r'--workers "([^"]+)"', cmd)
    assert workers, "the image names its worker count"
    shell = cmd[: cmd.index("exec uvicorn")].replace("alembic upgrade head && ", "")
    cpu_max = tmp_path / "cpu.max"
    if quota is not None:
        cpu_max.write_text(quota + "\n")
    shell = shell.replace("/sys/fs/cgroup/cpu.max", str(cpu_max)) + f'echo "{workers[1]}"'
    clean = {"PATH": os.environ["PATH"], **env}  # no OMP_NUM_THREADS: nproc reads it
    out = subprocess.run(["/bin/sh", "-c", shell], env=clean, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[-1])


def test_the_image_runs_one_worker_per_core_unless_told(tmp_path: Path) -> None:
    """WEB_CONCURRENCY, else the cores the container may use: its CPU quota (cgroup v2
    `cpu.max`, rounded up) where it has one, else `nproc`."""
    cores = len(os.sched_getaffinity(0))
    assert workers_the_image_starts(tmp_path, None) == cores
    assert workers_the_image_starts(tmp_path, "max 100000") == cores
    assert workers_the_image_starts(tmp_path, "150000 100000") == 2
    assert workers_the_image_starts(tmp_path, "50000 100000") == 1
    assert workers_the_image_starts(tmp_path, "150000 100000", WEB_CONCURRENCY="3") == 3
    # compose passes the variable on empty when it isn't set: the default then.
    assert workers_the_image_starts(tmp_path, None, WEB_CONCURRENCY="") == cores


# --- X-Forwarded-For: believed only from FORWARDED_ALLOW_IPS (default: nobody) --------

SIGNUP_LIMIT = 3


def make_run_flags(forwarded_allow_ips: str | None) -> list[str]:
    """The flags after `--port N` on `make run`'s uvicorn line (`make -n`: printed, not run)."""
    given = [] if forwarded_allow_ips is None else [f"FORWARDED_ALLOW_IPS={forwarded_allow_ips}"]
    env = {k: v for k, v in os.environ.items() if k != "FORWARDED_ALLOW_IPS"}
    make = shutil.which("make")
    assert make, "make is needed to read `make run`"
    printed = subprocess.run(
        [make, "-n", "-s", "run", *given], cwd=ROOT, env=env, text=True, capture_output=True
    )
    assert printed.returncode == 0, printed.stderr
    line = next(line for line in printed.stdout.splitlines() if " uvicorn " in line)
    args = shlex.split(line)
    return args[args.index("--port") + 2 :]


def trusted(flags: list[str]) -> str:
    assert "--proxy-headers" in flags
    return flags[flags.index("--forwarded-allow-ips") + 1]


def signup_statuses(base: str, forwarded_for: list[str]) -> list[int]:
    """One sign-up per X-Forwarded-For value, all from 127.0.0.1."""
    with httpx2.Client(timeout=30) as http:
        return [
            http.post(
                f"{base}/api/auth/signup",
                json={"username": f"fwd{uuid.uuid4().hex[:12]}", "password": PASSWORD},
                headers={"X-Forwarded-For": address},
            ).status_code
            for address in forwarded_for
        ]


SPOOFED = [f"203.0.113.{i}" for i in range(1, SIGNUP_LIMIT + 2)]
LIMITED = [201] * SIGNUP_LIMIT + [429]


@pytest.mark.parametrize("how", ["make run", "plain uvicorn, the variable empty"])
def test_a_forged_x_forwarded_for_from_loopback_changes_no_limit(
    settings: Settings, how: str
) -> None:
    env = {"SIGNUPS_PER_HOUR_PER_ADDRESS": str(SIGNUP_LIMIT)}
    if how == "make run":
        flags = make_run_flags(None)
        assert trusted(flags) == trusted(make_run_flags("")) == ""
    else:  # uvicorn started by hand reads the variable itself: empty trusts nobody too
        flags, env["FORWARDED_ALLOW_IPS"] = [], ""
    with live_server(settings.DATABASE_URL, env=env, extra_args=tuple(flags)) as base:
        assert signup_statuses(base, SPOOFED) == LIMITED, how


def test_x_forwarded_for_counts_when_the_proxy_is_named(settings: Settings) -> None:
    flags = make_run_flags("127.0.0.1")
    assert trusted(flags) == "127.0.0.1"
    limit = {"SIGNUPS_PER_HOUR_PER_ADDRESS": str(SIGNUP_LIMIT)}
    with live_server(settings.DATABASE_URL, env=limit, extra_args=tuple(flags)) as base:
        # Each forwarded address is a client of its own, with a limit of its own...
        assert signup_statuses(base, SPOOFED) == [201] * len(SPOOFED)
        # ...and one address, however it connects through the proxy, has just the one.
        assert signup_statuses(base, ["198.51.100.7"] * (SIGNUP_LIMIT + 1)) == LIMITED


def test_the_image_believes_no_x_forwarded_for_by_default(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("SIGNUPS_PER_HOUR_PER_ADDRESS", str(SIGNUP_LIMIT))
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)  # the image's own default
    _, base, _, _ = request.getfixturevalue("image_server")  # started with that environment
    assert signup_statuses(base, SPOOFED) == LIMITED
