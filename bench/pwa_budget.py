"""Page-weight and Lighthouse budget for /checkin and a result page (printed, not a test).

    uv run python -m bench.pwa_budget            # weights only
    uv run python -m bench.pwa_budget --lighthouse   # also Lighthouse (needs Chromium and npm)

Budget: Lighthouse mobile performance >= 95, accessibility 100, best practices 100;
/checkin critical path <= 50 KB gzipped in all, JavaScript <= 30 KB gzipped.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

import httpx2

from app.settings import ROOT
from tests.support.live_server import live_server
from tests.support.migrations import migrate

NPM = ROOT / "bench" / ".npm"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def weights(client: httpx2.Client, path: str) -> dict[str, int]:
    html = client.get(path).content
    sizes = {"html": gz(html), "css": 0, "js": 0}
    for kind, pattern in (
        ("css", rb'<link rel="stylesheet" href="([^"]+)"'),
        ("js", rb'<script src="([^"]+)"'),
    ):
        for ref in re.findall(pattern, html):
            sizes[kind] += gz(client.get(ref.decode()).content)
    sizes["total"] = sizes["html"] + sizes["css"] + sizes["js"]
    return sizes


def lighthouse(url: str, cookie: str) -> dict[str, int]:
    binary = NPM / "node_modules" / ".bin" / "lighthouse"
    chrome = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    out = subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            "--only-categories=performance,accessibility,best-practices",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": chrome},
        check=True,
    )
    report = json.loads(out.stdout)
    return {name: round(cat["score"] * 100) for name, cat in report["categories"].items()}


def main() -> None:
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    migrate(url)
    with live_server(url, access_log=True, output="inherit") as base:
        client = httpx2.Client(base_url=base)
        r = client.post(
            "/api/auth/signup",
            json={"username": f"bench{uuid.uuid4().hex[:6]}", "password": "a budget passphrase"},
        )
        # Secure cookies aren't kept over http, so carry the session by hand.
        cookie = r.headers["set-cookie"].split(";")[0]
        client.headers["Cookie"] = cookie
        items = client.get("/api/questionnaires/weekly").json()["items"]
        answers = {i["id"]: i["min"] + (i["domain"] != "safety") for i in items if i["required"]}
        result = client.post(
            "/api/checkins", json={"client_id": str(uuid.uuid4()), "answers": answers}
        ).json()
        pages = {"/checkin": "/checkin", "result": f"/checkins/{result['id']}"}
        for name, path in pages.items():
            w = weights(client, path)
            print(
                f"{name:10s} gzipped: html {w['html']:6d} B  css {w['css']:6d} B  "
                f"js {w['js']:6d} B  total {w['total']:6d} B  "
                f"(budget total <= 51200, js <= 30720)"
            )
        if "--lighthouse" in sys.argv:
            for name, path in pages.items():
                scores = lighthouse(base + path, cookie)
                print(
                    f"{name:10s} lighthouse (mobile): "
                    + ", ".join(f"{k} {v}" for k, v in scores.items())
                )


if __name__ == "__main__":
    main()
