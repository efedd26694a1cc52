"""Schemathesis over every /api operation, signed in, with all its checks (no server
error, answers true to the schema, invalid data refused and valid data taken, the right
Allow on a 405, ...) and its stateful phase, which follows the links between operations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from tests.support.accounts import PASSWORD
from tests.support.live_server import live_server
from tests.support.migrations import migrate

pytestmark = pytest.mark.slow
# Operations that would end the fuzzing session itself.
SPARE = (
    "/api/account",
    "/api/auth/logout",
    "/api/sessions/end-others",
    "/api/auth/passphrase",
    "/api/auth/recover",
    "/api/sessions/{session_id}",  # the fuzzer's own session is number 1
)


def test_api_survives_schemathesis(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    migrate(url)
    limits = {
        "VAPID_PRIVATE_KEY_FILE": str(tmp_path / "v.pem"),
        "SIGNUPS_PER_HOUR_PER_ADDRESS": "100000",
        "LOGIN_FAILURES_PER_ACCOUNT": "100000",
        "LOGIN_FAILURES_PER_ADDRESS": "100000",
    }
    env = {**os.environ, "DATABASE_URL": url, **limits}
    log = tmp_path / "server.log"
    with live_server(url, env=limits, output=log) as base:
        r = httpx2.post(
            f"{base}/api/auth/signup", json={"username": "fuzzer", "password": PASSWORD}
        )
        cookie = r.headers["set-cookie"].split(";")[0]
        args = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(Path(__file__).parent / "schemathesis.toml"),
            "run",
            f"{base}/openapi.json",
            "--header",
            f"Cookie: {cookie}",
            "--include-path-regex",
            "^/api/",
            "--checks",
            "all",
            "--max-examples",
            os.environ.get("FUZZ_EXAMPLES", "25"),
            "--phases",
            "coverage,fuzzing,stateful",
            "--seed",
            "20261122",
            "--no-color",
        ]
        for path in SPARE:
            args += ["--exclude-path", path]
        run = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
        assert run.returncode == 0, run.stdout[-6000:]
        assert "passed" in run.stdout.lower() or "no issues" in run.stdout.lower()
    errors = log.read_text()
    assert "Traceback" not in errors, errors[-4000:]
