"""GET /api/summary, pinned to the byte: keys and their order, the number and string types,
and the contract's UTC timestamps ("Z", microseconds kept when a time has them)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.engine import therapy_week
from tests.helpers import best_answers, post_checkin, questionnaire

SUMMARY_KEYS = [
    "therapy_started_on",
    "therapy_week",
    "checkin_count",
    "domains",
    "latest",
    "next_checkin_due",
]
DOMAIN_KEYS = [
    "higher_is",
    "points",
    "first",
    "latest",
    "change",
    "start",
    "start_checkins",
    "change_from_start",
]
POINT_KEYS = ["checkin_id", "taken_at", "therapy_week", "value", "band"]
RESULT_KEYS = [
    "id",
    "client_id",
    "taken_at",
    "therapy_week",
    "scores",
    "signs",
    "suggestions",
    "urgent",
    "rules_version",
    "answers",
    "note",
]


def _ordered(text: str) -> Any:
    """The JSON with every object as a list of (key, value) pairs: order counts."""
    return json.loads(text, object_pairs_hook=lambda pairs: pairs)


def _keys(pairs: list[tuple[str, Any]]) -> list[str]:
    return [key for key, _ in pairs]


def test_an_empty_account_has_an_empty_summary(client, user):
    r = client.get("/api/summary")
    today = datetime.now(UTC).date().isoformat()
    assert r.text == (
        '{"therapy_started_on":null,"therapy_week":null,"checkin_count":0,"domains":{},'
        f'"latest":null,"next_checkin_due":"{today}"}}'
    )


def test_the_summary_json_is_pinned(client, user):
    client.put("/api/profile", json={"therapy_started_on": "2026-01-01"})
    q = questionnaire(client)
    answers = best_answers(q)
    # Before therapy started (counts towards the start, not the trend); then a whole
    # second, and a time sent with an offset and microseconds.
    post_checkin(client, answers, taken_at="2025-12-20T10:00:00Z")
    first = post_checkin(client, answers, taken_at="2026-01-07T10:00:00Z").json()
    second = post_checkin(client, answers, taken_at="2026-01-14T10:00:00.25+02:00").json()

    r = client.get("/api/summary")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    pairs = _ordered(r.text)
    assert _keys(pairs) == SUMMARY_KEYS
    s = r.json()
    started = date(2026, 1, 1)
    assert s["therapy_started_on"] == "2026-01-01"
    assert s["therapy_week"] == therapy_week(started, datetime.now(UTC))
    assert type(s["therapy_week"]) is int and type(s["checkin_count"]) is int
    assert s["checkin_count"] == 2
    assert s["next_checkin_due"] == "2026-01-21"  # a week after the latest, as a date

    # The domains come in the order the stored scores list them.
    assert list(s["domains"]) == list(s["latest"]["scores"])
    for key, domain in dict(pairs)["domains"]:
        assert _keys(domain) == DOMAIN_KEYS, key
        for point in dict(domain)["points"]:
            assert _keys(point) == POINT_KEYS, key
        for name in DOMAIN_KEYS[2:]:
            assert type(s["domains"][key][name]) is int, (key, name)

    assert s["domains"]["heard"] == {
        "higher_is": "better",
        "points": [
            {
                "checkin_id": first["id"],
                "taken_at": "2026-01-07T10:00:00Z",
                "therapy_week": 1,
                "value": 100,
                "band": "good",
            },
            {
                "checkin_id": second["id"],
                "taken_at": "2026-01-14T08:00:00.250000Z",
                "therapy_week": 2,
                "value": 100,
                "band": "good",
            },
        ],
        "first": 100,
        "latest": 100,
        "change": 0,
        "start": 100,
        "start_checkins": 2,
        "change_from_start": 0,
    }
    # Byte for byte: no spaces, "Z" for UTC, microseconds as Python writes them.
    assert (
        f'{{"checkin_id":"{first["id"]}","taken_at":"2026-01-07T10:00:00Z",'
        '"therapy_week":1,"value":100,"band":"good"}'
    ) in r.text

    latest = dict(pairs)["latest"]
    assert _keys(latest) == RESULT_KEYS
    assert s["latest"]["id"] == second["id"]
    assert s["latest"]["taken_at"] == "2026-01-14T08:00:00.250000Z"
    assert s["latest"] == {k: v for k, v in second.items() if k in RESULT_KEYS}


def test_a_checkin_without_a_time_keeps_its_microseconds(client, user):
    before = datetime.now(UTC)
    made = post_checkin(client, best_answers(questionnaire(client))).json()
    s = client.get("/api/summary").json()
    [point] = s["domains"]["heard"]["points"]
    assert point["taken_at"] == made["taken_at"] == s["latest"]["taken_at"]
    moment = datetime.fromisoformat(point["taken_at"])
    assert point["taken_at"].endswith("Z") and moment - before < timedelta(minutes=1)
    assert point["taken_at"] == moment.isoformat().replace("+00:00", "Z")
    assert s["next_checkin_due"] == (moment + timedelta(days=7)).date().isoformat()
