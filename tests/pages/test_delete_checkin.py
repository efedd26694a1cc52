"""Deleting one check-in from its result page: asked first, gone for good, later results
made again without it, and the activity log says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import post_checkin as post_api
from tests.pages.helpers import csrf, get_page, good_answers, main_of


def _three(client: TestClient) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    weekly = good_answers(client)
    calm, heavy = {**weekly, "distress_week": 1}, {**weekly, "distress_week": 5}
    results = []
    for days, answers in ((21, calm), (14, heavy), (7, heavy)):
        r = post_api(client, answers, taken_at=(now - timedelta(days=days)).isoformat())
        assert r.status_code == 201, r.text
        results.append(r.json())
    return results


def test_delete_asks_first_then_removes_and_re_evaluates(
    client: TestClient, user: dict[str, Any]
) -> None:
    first, _second, last = _three(client)
    assert "worsening" in [s["id"] for s in last["signs"]]  # calm at the start
    page = get_page(client, f"/checkins/{first['id']}")
    link = main_of(page).find("a", href=f"/checkins/{first['id']}/delete")
    assert link is not None
    confirm = get_page(client, link["href"])
    assert "Delete your check-in of" in confirm.h1.get_text()
    assert client.get("/api/checkins").json()["items"][-1]["id"] == first["id"]  # not yet

    token = csrf(confirm, f"/checkins/{first['id']}/delete")
    r = client.post(link["href"], data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/history")
    assert "was deleted" in main_of(get_page(client, r.headers["location"])).get_text()
    assert client.get(f"/api/checkins/{first['id']}").status_code == 404
    latest = client.get("/api/summary").json()["latest"]
    assert latest["id"] == last["id"]
    assert "worsening" not in [s["id"] for s in latest["signs"]]  # heavy from the start now
    events = [e["title"] for e in client.get("/api/activity").json()["items"]]
    assert "A check-in was deleted" in events


def test_a_stale_form_deletes_nothing(client: TestClient, user: dict[str, Any]) -> None:
    first, _second, _last = _three(client)
    r = client.post(f"/checkins/{first['id']}/delete", data={"csrf_token": "stale"})
    assert r.status_code == 403
    assert client.get(f"/api/checkins/{first['id']}").status_code == 200
