"""The follow-up about support and motivation: offered after an off-course sign, stored
with that check-in, and re-ranking its next steps (Lambert's clinical support tool)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import signup
from tests.helpers import post_checkin, questionnaire

NOW = datetime.now(UTC).replace(microsecond=0)


def weekly_best(q: dict[str, Any]) -> dict[str, int]:
    """Every weekly question at its best end; the follow-up and life events left out."""
    return {
        it["id"]: it["max"] if it["higher_is"] == "better" else it["min"]
        for it in q["items"]
        if it["stage"] == "weekly" and it["domain"] != "life_events"
    }


def off_course(client: TestClient) -> dict[str, Any]:
    """Heavy distress unchanged into week 7 of therapy: off the expected course."""
    q = questionnaire(client)
    started = (NOW - timedelta(days=49)).date().isoformat()
    r = client.put("/api/profile", json={"therapy_started_on": started, "country": "GB"})
    assert r.status_code == 200, r.text
    heavy = {**weekly_best(q), "distress_week": 4}
    result = None
    for days_ago in (45, 38, 2):
        r = post_checkin(client, heavy, taken_at=(NOW - timedelta(days=days_ago)).isoformat())
        assert r.status_code == 201, r.text
        result = r.json()
    assert result is not None
    return result


def test_low_support_puts_building_support_first(client: TestClient, user: Any) -> None:
    result = off_course(client)
    assert "off_track" in [s["id"] for s in result["signs"]]
    assert [s["id"] for s in result["suggestions"]] == ["raise_concerns"]

    url = f"/api/checkins/{result['id']}/follow-up"
    r = client.post(url, json={"answers": {"support_people": 1}})
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["id"] == result["id"] and after["answers"]["support_people"] == 1
    assert [s["id"] for s in after["suggestions"]] == ["build_support", "raise_concerns"]
    because = " ".join(next(s for s in after["signs"] if s["id"] == "off_track")["because"])
    assert "lean on" in because
    # Stored with that check-in: reading it again, and the summary, say the same.
    assert client.get(f"/api/checkins/{result['id']}").json() == after
    assert client.get("/api/summary").json()["latest"]["suggestions"] == after["suggestions"]
    # The same answers again change nothing; new answers replace the old ones.
    assert client.post(url, json={"answers": {"support_people": 1}}).json() == after
    again = client.post(url, json={"answers": {"support_people": 5}}).json()
    assert [s["id"] for s in again["suggestions"]] == ["raise_concerns"]


def test_low_motivation_adjusts_expectations_and_the_steps(client: TestClient, user: Any) -> None:
    result = off_course(client)
    r = client.post(
        f"/api/checkins/{result['id']}/follow-up", json={"answers": {"motivation_energy": 1}}
    )
    assert r.status_code == 200, r.text
    steps = r.json()["suggestions"]
    assert [s["id"] for s in steps][:2] == ["adjust_expectations", "raise_concerns"]
    adjust = steps[0]
    assert "energy" in adjust["why"]
    text = " ".join(adjust["steps"]).lower()
    assert "small" in text and "early on" not in text


def test_only_follow_up_answers_on_the_scale_are_taken(client: TestClient, user: Any) -> None:
    result = off_course(client)
    url = f"/api/checkins/{result['id']}/follow-up"
    for answers, field in (
        ({"distress_week": 1}, "distress_week"),
        ({"support_people": 9}, "support_people"),
        ({"made_up": 2}, "made_up"),
        ({}, "answers"),
    ):
        r = client.post(url, json={"answers": answers})
        assert r.status_code == 422, r.text
        assert field in r.json()["detail"], r.text
    r = client.post(url, json={"answers": {"support_people": True}})
    assert r.status_code == 422
    # Nothing of that was stored.
    assert client.get(f"/api/checkins/{result['id']}").json() == result


def test_someone_elses_check_in_is_not_found(client: TestClient, user: Any) -> None:
    result = off_course(client)
    signup(client)  # another account, now signed in
    r = client.post(
        f"/api/checkins/{result['id']}/follow-up", json={"answers": {"support_people": 1}}
    )
    assert r.status_code == 404


def test_follow_up_items_are_listed_apart_from_the_weekly_ones(
    client: TestClient, user: Any
) -> None:
    items = questionnaire(client)["items"]
    stages = {it["id"]: it["stage"] for it in items}
    assert stages["support_people"] == stages["motivation_energy"] == "follow_up"
    assert {it["stage"] for it in items} == {"weekly", "follow_up"}
    session = next(it for it in items if it["domain"] == "session_effect")
    assert session["none_label"] == "No session this week" and session["required"] is False


def test_sending_the_check_in_again_after_the_follow_up_stores_nothing_new(
    client: TestClient, user: Any
) -> None:
    q = questionnaire(client)
    body = {"client_id": "6b0f7c1e-8a43-4b8e-9f1c-2d7e5a9b3c10", "answers": weekly_best(q)}
    made = client.post("/api/checkins", json=body).json()
    url = f"/api/checkins/{made['id']}/follow-up"
    assert client.post(url, json={"answers": {"support_people": 2}}).status_code == 200
    again = client.post("/api/checkins", json=body)  # the same form, sent again
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    assert again.json()["answers"]["support_people"] == 2
    changed = {**body, "answers": {**body["answers"], "support_people": 5}}
    assert client.post("/api/checkins", json=changed).status_code == 409
    assert len(client.get("/api/checkins").json()["items"]) == 1
