"""Building answer sets from the live questionnaire, so tests don't hard-code item ids."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient


def questionnaire(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/questionnaires/weekly")
    assert r.status_code == 200
    return dict(r.json())


def item_for(q: dict[str, Any], domain: str) -> dict[str, Any]:
    return next(item for item in q["items"] if item["domain"] == domain)


def best_answers(q: dict[str, Any]) -> dict[str, int]:
    """Every asked item answered at its best end (no risk, nothing worrying)."""
    out = {}
    for item in q["items"]:
        if item["domain"] == "life_events":
            continue
        out[item["id"]] = item["max"] if item["higher_is"] == "better" else item["min"]
    return out


def with_domain(
    q: dict[str, Any], answers: dict[str, int], domain: str, where: str
) -> dict[str, int]:
    """Set every item of `domain` to its 'best' or 'worst' end."""
    out = dict(answers)
    for item in q["items"]:
        if item["domain"] == domain:
            good = item["max"] if item["higher_is"] == "better" else item["min"]
            bad = item["min"] if item["higher_is"] == "better" else item["max"]
            out[item["id"]] = good if where == "best" else bad
    return out


def risk_answers(q: dict[str, Any]) -> dict[str, int]:
    answers = best_answers(q)
    safety = item_for(q, "safety")
    answers[safety["id"]] = safety["min"] + 1
    return answers


def post_checkin(client: TestClient, answers: dict[str, int], **extra: Any) -> Any:
    body = {"client_id": str(uuid.uuid4()), "answers": answers, **extra}
    return client.post("/api/checkins", json=body)
