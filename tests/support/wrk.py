"""Load from wrk (50 connections, one cookie per account, a fresh client_id per submit),
shared by bench/burst.py and the suite's burst test."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

CLIENTS = 50

# One cookie per account, taken in turn; a new client_id for every submit.
LUA = r"""
local cookies = {COOKIES}
local body_tail = {BODY_TAIL}
local n = 0
local method = "{METHOD}"
local path = "{PATH}"

function setup(thread)
  thread:set("offset", math.random(1, #cookies))
end

local function uuid4()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(t, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function init(args)
  math.randomseed(os.time() + (offset or 0) * 7919)
  n = offset or 0
end

function request()
  n = n + 1
  local headers = {["Cookie"] = cookies[(n % #cookies) + 1]}
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    local body = '{"client_id":"' .. uuid4() .. '",' .. body_tail
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
"""


def wrk_script(cookies: list[str], method: str, path: str, answers: dict[str, int]) -> str:
    tail = '"answers":' + json.dumps(answers, separators=(",", ":")) + "}"
    return (
        LUA.replace("{COOKIES}", "{" + ",".join(json.dumps(c) for c in cookies) + "}")
        .replace("{BODY_TAIL}", json.dumps(tail))
        .replace("{METHOD}", method)
        .replace("{PATH}", path)
    )


def wrk(base: str, script: str, seconds: float) -> dict[str, float]:
    """Run wrk with 50 connections; returns requests/s, 2xx count, errors and timeouts."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CLIENTS}",
            f"-d{seconds:g}s",
            "--timeout",
            "30s",
            "-s",
            f.name,
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(f.name).unlink()
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    bad = int(non2xx.group(1)) if non2xx else 0
    return {
        "ok_per_s": (total - bad) / seconds,
        "ok": total - bad,
        "non_2xx": bad,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def age_sessions(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE auth_session SET last_seen_at = :t"),
            {"t": datetime.now(UTC) - timedelta(hours=1)},
        )
    engine.dispose()
