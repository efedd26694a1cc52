"""Check-in throughput: our POST /api/checkins vs a bare FastAPI endpoint, one run, one machine.

Prints requests per second of each and their ratio (absolute numbers drift on shared
machines; the ratio is the figure to compare). Runs in-process with TestClient so no
network is involved: `make bench`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tests.support.migrations import migrate

N = int(os.environ.get("BENCH_N", "200"))


class Body(BaseModel):
    client_id: str
    answers: dict[str, int]


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo", status_code=201)
    def echo(body: Body) -> dict[str, object]:
        return {"client_id": body.client_id, "answers": body.answers}

    return app


def timed(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/bench.db"
    os.environ["DATABASE_URL"] = url
    migrate(url)
    from app.main import create_app
    from app.settings import Settings

    ours = TestClient(create_app(Settings(DATABASE_URL=url)), base_url="https://testserver")
    ours.__enter__()
    r = ours.post(
        "/api/auth/signup", json={"username": "bench", "password": "bench passphrase long"}
    )
    assert r.status_code == 201
    items = ours.get("/api/questionnaires/weekly").json()["items"]
    # A middling week with no risk answer: every required item one step above its minimum.
    answers = {i["id"]: i["min"] + (i["domain"] != "safety") for i in items if i["required"]}
    start = datetime.now(UTC) - timedelta(weeks=N + 1)
    bare = TestClient(bare_app())

    def post_ours(i: int) -> None:
        body = {
            "client_id": str(uuid.uuid4()),
            "answers": answers,
            "taken_at": (start + timedelta(weeks=i)).isoformat(),
        }
        assert ours.post("/api/checkins", json=body).status_code == 201

    def post_bare(i: int) -> None:
        assert (
            bare.post(
                "/echo", json={"client_id": str(uuid.uuid4()), "answers": answers}
            ).status_code
            == 201
        )

    t_bare = timed(post_bare, N)
    t_ours = timed(post_ours, N)
    t_read = timed(lambda i: ours.get("/api/checkins", params={"limit": 20}), N // 4)
    for name, ts in (
        ("bare FastAPI POST", t_bare),
        ("POST /api/checkins", t_ours),
        ("GET /api/checkins", t_read),
    ):
        print(
            f"{name:22s} median {statistics.median(ts) * 1000:7.2f} ms  "
            f"p95 {sorted(ts)[int(len(ts) * 0.95)] * 1000:7.2f} ms  n={len(ts)}"
        )
    print(
        f"ratio POST check-in / bare (median): "
        f"{statistics.median(t_ours) / statistics.median(t_bare):.1f}x "
        f"(history grows to {N} check-ins during the run)"
    )


if __name__ == "__main__":
    main()
