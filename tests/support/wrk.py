"""Load from wrk (50 connections, one cookie per account, a fresh client_id per submit),
shared by bench/burst.py, bench/load.py and the suite's burst test.

`wrk(...)` reads wrk's own summary; `run_wrk(...)` reads the JSON the script's `done()`
prints (latency percentiles, the count of each status) and can pace the load (`rate`).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

CLIENTS = 50
MARK = "WRK_JSON "

# One cookie per account, taken in turn; a new client_id for every submit; gzip accepted,
# as every browser does. Every thread
# counts the statuses it saw; `done()` (in the main state) adds them up and prints JSON.
LUA = r"""
local cookies = {COOKIES}
local body_tail = {BODY_TAIL}
local n = 0
local method = "{METHOD}"
local path = "{PATH}"
threads = {}
statuses = {}

function setup(thread)
  thread:set("offset", math.random(1, #cookies))
  table.insert(threads, thread)
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
  local headers = {["Cookie"] = cookies[(n % #cookies) + 1], ["Accept-Encoding"] = "gzip"}
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    local body = '{"client_id":"' .. uuid4() .. '",' .. body_tail
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for code, k in pairs(t:get("statuses")) do
      counts[#counts + 1] = string.format('"%d":%d', code, k)
    end
  end
  local e = summary.errors
  io.write(string.format(
    '{MARK}{"requests":%d,"duration_us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,' ..
    '"mean":%.1f,"connect":%d,"read":%d,"write":%d,"timeout":%d,"statuses":[{%s}]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write,
    e.timeout, table.concat(counts, "},{")))
end
"""

# Pacing: each thread hands out start times `interval` ms apart (a schedule, so the rate
# holds while answers slow down, up to the connections' limit); a late slot starts now,
# never in a catch-up burst. LuaJIT's ffi gives the clock; without it, a fixed think time.
PACE = r"""
local interval = {INTERVAL}
local clock = nil
local ok, ffi = pcall(require, "ffi")
if ok then
  ffi.cdef("typedef struct { long s; long ns; } bench_ts; int clock_gettime(int, bench_ts *);")
  local ts = ffi.new("bench_ts")
  clock = function()
    ffi.C.clock_gettime(1, ts)
    return tonumber(ts.s) * 1000 + tonumber(ts.ns) / 1e6
  end
end
local next_slot = nil

function delay()
  if clock == nil then
    return math.floor(interval * {CONNECTIONS_PER_THREAD})
  end
  local now = clock()
  if next_slot == nil or next_slot < now then
    next_slot = now
  end
  local slot = next_slot
  next_slot = next_slot + interval
  return math.floor(slot - now)
end
"""


def wrk_script(
    cookies: list[str],
    method: str,
    path: str,
    answers: dict[str, int],
    *,
    rate_per_thread: float | None = None,
    connections_per_thread: int = CLIENTS,
) -> str:
    """The Lua for wrk; with `rate_per_thread`, each thread starts that many requests a second."""
    tail = '"answers":' + json.dumps(answers, separators=(",", ":")) + "}"
    script = (
        LUA.replace("{COOKIES}", "{" + ",".join(json.dumps(c) for c in cookies) + "}")
        .replace("{BODY_TAIL}", json.dumps(tail))
        .replace("{METHOD}", method)
        .replace("{PATH}", path)
        .replace("{MARK}", MARK)
    )
    if rate_per_thread:
        script += PACE.replace("{INTERVAL}", f"{1000 / rate_per_thread:.3f}").replace(
            "{CONNECTIONS_PER_THREAD}", str(connections_per_thread)
        )
    return script


def _run(base: str, script: str, seconds: float, connections: int, threads: int) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        return subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",  # whole seconds: wrk reads no fraction
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
    finally:
        Path(f.name).unlink()


def wrk(base: str, script: str, seconds: float) -> dict[str, float]:
    """Run wrk with 50 connections; returns requests/s, 2xx count, errors and timeouts."""
    out = _run(base, script, seconds, CLIENTS, 2)
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


@dataclass
class WrkStats:
    """One wrk run as its `done()` saw it; latencies in milliseconds."""

    requests: int
    seconds: float
    p50: float
    p90: float
    p99: float
    max: float
    mean: float
    statuses: dict[int, int] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return sum(k for code, k in self.statuses.items() if 200 <= code < 300)

    @property
    def ok_per_s(self) -> float:
        return self.ok / self.seconds

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds

    @property
    def not_ok(self) -> dict[str, int]:
        """Every answer that wasn't a 2xx, by status, and socket errors by kind."""
        bad = {str(code): k for code, k in sorted(self.statuses.items()) if not 200 <= code < 300}
        return bad | {kind: k for kind, k in self.socket_errors.items() if k}


def parse_done(out: str) -> WrkStats:
    line = next(line for line in out.splitlines() if line.startswith(MARK))
    doc = json.loads(line[len(MARK) :])
    statuses: dict[int, int] = {}
    for part in doc["statuses"]:
        for code, k in part.items():
            statuses[int(code)] = statuses.get(int(code), 0) + k
    return WrkStats(
        requests=doc["requests"],
        seconds=doc["duration_us"] / 1e6,
        p50=doc["p50"] / 1000,
        p90=doc["p90"] / 1000,
        p99=doc["p99"] / 1000,
        max=doc["max"] / 1000,
        mean=doc["mean"] / 1000,
        statuses=statuses,
        socket_errors={k: doc[k] for k in ("connect", "read", "write", "timeout")},
    )


def run_wrk(
    base: str,
    cookies: list[str],
    method: str,
    path: str,
    answers: dict[str, int],
    seconds: float,
    *,
    rate: float | None = None,
    connections: int = CLIENTS,
    threads: int = 1,
) -> WrkStats:
    """`connections` clients for `seconds`: as fast as answers come, or `rate` starts/s."""
    script = wrk_script(
        cookies,
        method,
        path,
        answers,
        rate_per_thread=rate / threads if rate else None,
        connections_per_thread=connections // threads,
    )
    return parse_done(_run(base, script, seconds, connections, threads))


def age_sessions(url: str, by: timedelta = timedelta(hours=1)) -> None:
    """Every session's last-seen time set `by` into the past."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE auth_session SET last_seen_at = :t"),
            {"t": datetime.now(UTC) - by},
        )
    engine.dispose()
