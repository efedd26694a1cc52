"""The weekly form's progress and "no session" choice, and the follow-up on the result page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import post_checkin as post_api
from tests.pages.helpers import (
    csrf,
    form_of,
    get_page,
    good_answers,
    main_of,
    post_checkin,
    radio_groups,
)


def test_the_form_counts_questions_and_offers_no_session(
    client: TestClient, user: dict[str, Any]
) -> None:
    soup = get_page(client, "/checkin")
    groups = radio_groups(soup)
    assert "support_people" not in groups and "motivation_energy" not in groups
    counts = [c.get_text() for c in soup.select("legend .q-count")]
    assert counts[0] == f"Question 1 of {len(groups)}" and len(counts) == len(groups)
    session = groups["distress_after"]
    assert [r["value"] for r in session][-1] == "none"
    assert not any(r.has_attr("required") for r in session)
    label = session[-1].find_parent("label").get_text(strip=True)
    assert label == "No session this week"


def test_no_session_stores_no_answer_and_the_choice_survives_an_error(
    client: TestClient, user: dict[str, Any]
) -> None:
    answers: dict[str, Any] = {**good_answers(client), "distress_after": "none"}
    del answers["heard_unjudged"]
    r = post_checkin(client, answers)
    assert r.status_code == 422
    assert 'value="none" checked' in r.text  # what they chose is still chosen
    answers["heard_unjudged"] = 5
    r = post_checkin(client, answers)
    assert r.status_code == 303
    stored = client.get("/api/checkins").json()["items"][0]
    assert "distress_after" not in stored["answers"]
    assert "session_effect" not in stored["scores"]


def _off_course(client: TestClient) -> str:
    """Heavy distress unchanged into week 7: the result offers the follow-up."""
    now = datetime.now(UTC)
    started = (now - timedelta(days=49)).date().isoformat()
    assert client.put("/api/profile", json={"therapy_started_on": started}).status_code == 200
    weekly = {
        k: v
        for k, v in good_answers(client).items()
        if k not in ("support_people", "motivation_energy")
    }
    result = None
    for days_ago in (45, 38, 2):
        moment = (now - timedelta(days=days_ago)).isoformat()
        r = post_api(client, {**weekly, "distress_week": 4}, taken_at=moment)
        assert r.status_code == 201, r.text
        result = r.json()
    assert result is not None and "off_track" in [s["id"] for s in result["signs"]]
    return str(result["id"])


def test_the_follow_up_reranks_the_steps_and_is_then_gone(
    client: TestClient, user: dict[str, Any]
) -> None:
    checkin_id = _off_course(client)
    url = f"/checkins/{checkin_id}"
    soup = get_page(client, url)
    action = f"{url}/follow-up"
    form = form_of(soup, action)
    names = {str(r["name"]) for r in form.find_all("input", type="radio")}
    assert names == {"support_people", "motivation_energy"}
    token = csrf(soup, action)
    # Nothing chosen: an inline message, the page keeps its result.
    r = client.post(action, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 422 and "Please choose an answer" in r.text
    r = client.post(
        action, data={"csrf_token": token, "support_people": "1"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith(url)
    soup = get_page(client, url)
    steps = [a["id"] for a in main_of(soup).select("article.suggestion")]
    assert steps[0] == "step-build_support"
    assert soup.find("form", action=action) is None  # answered: not offered again


def test_no_follow_up_on_an_urgent_or_on_track_result(
    client: TestClient, user: dict[str, Any]
) -> None:
    r = post_checkin(client, good_answers(client))
    assert r.status_code == 303
    location = r.headers["location"]
    assert get_page(client, location).find("section", id="follow-up") is None
    r = post_checkin(client, {**good_answers(client), "safety_thoughts": 3})
    location = r.headers["location"]
    assert get_page(client, location).find("section", id="follow-up") is None
