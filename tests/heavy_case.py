"""The heaviest talking-points sheet: every negative sign at once and three long notes.

Built from the live questionnaire, so it works through any client (TestClient, Playwright).
Twenty weekly check-ins on medication: two good weeks as the baseline, then feeling
unheard and disconnected, little coping and hope, heavy distress and side effects, no
progress, and a risk answer in the last one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

WEEKS = 20
NEGATIVE_SIGNS = {
    "self_harm_risk",
    "not_heard",
    "weak_connection",
    "session_harm",
    "worsening",
    "off_track",
    "no_progress",
    "dependency",
    "hopelessness",
    "side_effects",
}


def long_note(n: int) -> str:
    """A note of exactly 300 characters that names itself, so a test can find it on paper."""
    text = (
        f"Note {n}: I keep leaving our sessions feeling rushed and unheard, and I want to ask "
        "whether we can change how we work together. This week was hard at work and at home, "
        "and I barely slept. I want to talk about the homework, the pace of our sessions, and "
        "what we are aiming for over the next month or so."
    )
    assert len(text) == 300
    return text


def short_today() -> str:
    """How the sheet writes the latest check-in's date (UTC), e.g. "2 Mar 2026"."""
    day = (datetime.now(UTC) - timedelta(hours=1)).date()
    return f"{day.day} {day:%b %Y}"


def profile() -> dict[str, Any]:
    started = date.today() - timedelta(weeks=WEEKS + 1)
    return {
        "therapy_started_on": started.isoformat(),
        "on_medication": True,
        "country": "GB",
        "goals": "Sleep better, feel less on edge at work, and be able to talk to my sister again.",
    }


def _ends(item: dict[str, Any]) -> tuple[int, int]:
    best = item["max"] if item["higher_is"] == "better" else item["min"]
    worst = item["min"] if item["higher_is"] == "better" else item["max"]
    return best, worst


def checkins(q: dict[str, Any]) -> list[dict[str, Any]]:
    """Bodies for POST /api/checkins, oldest first."""
    now = datetime.now(UTC) - timedelta(hours=1)
    bodies = []
    for week in range(WEEKS):
        answers = {}
        for item in q["items"]:
            if item["domain"] == "life_events":
                continue
            best, worst = _ends(item)
            good = week < 2
            answers[item["id"]] = best if good else worst
            if item["domain"] == "progress":
                answers[item["id"]] = item["min"] + (1 if good else 0)
            if item["domain"] == "safety":
                answers[item["id"]] = item["min"] + (1 if week == WEEKS - 1 else 0)
        note_no = week - (WEEKS - 3) + 1
        bodies.append(
            {
                "client_id": str(uuid.uuid4()),
                "taken_at": (now - timedelta(weeks=WEEKS - 1 - week)).isoformat(),
                "answers": answers,
                "note": long_note(note_no) if note_no >= 1 else None,
            }
        )
    return bodies


def seed(client: Any) -> list[dict[str, Any]]:
    """Set the profile and post every check-in through a TestClient; returns the results."""
    r = client.put("/api/profile", json=profile())
    assert r.status_code == 200, r.text
    q = client.get("/api/questionnaires/weekly").json()
    results = []
    for body in checkins(q):
        r = client.post("/api/checkins", json=body)
        assert r.status_code == 201, r.text
        results.append(r.json())
    assert {s["id"] for s in results[-1]["signs"]} == NEGATIVE_SIGNS
    return results
