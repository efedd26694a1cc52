"""The client's own safety plan: GET|PUT /api/safety-plan, validation, encryption at rest,
export, import and account deletion."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.conftest import signup

PLAN = {
    "warning_signs": ["Not sleeping", "  Staying in bed all day  ", ""],
    "coping": ["A long walk with music"],
    "distractions": ["The café on the corner"],
    "people": [{"name": "Sam", "phone": "+44 7700 900123"}],
    "professionals": [{"name": "My therapist", "phone": "(020) 7946-0000"}],
    "safer_surroundings": ["Ask Sam to keep my tablets"],
    "reasons": ["My niece"],
}


def test_an_account_starts_with_an_empty_plan(client: TestClient, user: Any) -> None:
    plan = client.get("/api/safety-plan").json()
    assert {k: v for k, v in plan.items() if k != "updated_at"} == {
        "warning_signs": [], "coping": [], "distractions": [], "people": [],
        "professionals": [], "safer_surroundings": [], "reasons": [],
    }  # fmt: skip


def test_the_plan_round_trips_in_the_clients_words(
    client: TestClient, user: Any, engine: Engine
) -> None:
    r = client.put("/api/safety-plan", json=PLAN)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["warning_signs"] == ["Not sleeping", "Staying in bed all day"]
    assert saved["people"] == PLAN["people"] and saved["updated_at"]
    assert client.get("/api/safety-plan").json() == saved
    # At rest it is encrypted like the notes: no word of it in the table.
    with Session(engine) as db:
        stored = db.execute(text("select plan from safety_plan")).scalars().all()
    assert len(stored) == 1 and "Sam" not in stored[0] and "niece" not in stored[0]


def test_bad_parts_are_named_and_nothing_is_stored(client: TestClient, user: Any) -> None:
    assert client.put("/api/safety-plan", json=PLAN).status_code == 200
    before = client.get("/api/safety-plan").json()
    for body in (
        {**PLAN, "people": [{"name": "Sam", "phone": "call me maybe"}]},
        {**PLAN, "coping": ["x" * 301]},
        {**PLAN, "reasons": ["r"] * 11},
        {**PLAN, "people": [{"phone": "123"}]},
        {**PLAN, "pets": ["Rex"]},
        {**PLAN, "coping": "a walk"},
    ):
        r = client.put("/api/safety-plan", json=body)
        assert r.status_code == 422, body
        assert "detail" in r.json()
    assert client.get("/api/safety-plan").json() == before


def test_the_plan_is_exported_imported_and_deleted_with_the_account(
    client: TestClient,
    engine: Engine,
) -> None:
    signup(client)
    assert client.put("/api/safety-plan", json=PLAN).status_code == 200
    exported = client.get("/api/export").json()
    assert exported["safety_plan"]["reasons"] == ["My niece"]

    client.cookies.clear()
    signup(client)  # a new account: the file's plan is offered, and comes in when asked
    r = client.post("/api/import", json=exported)
    assert r.status_code == 200 and r.json()["safety_plan_restored"] is False, r.text
    [offer] = [c for c in r.json()["profile_changes"] if c["field"] == "safety_plan"]
    assert offer["current"] is None and offer["in_file"]["reasons"] == ["My niece"]
    assert client.get("/api/safety-plan").json()["people"] == []
    r = client.post("/api/import", params={"apply": "safety_plan"}, json=exported)
    assert r.json()["safety_plan_restored"] is True, r.text
    assert client.get("/api/safety-plan").json()["people"] == PLAN["people"]
    # An account with a plan of its own keeps it unless the client names it.
    mine = {**PLAN, "reasons": ["My garden"]}
    assert client.put("/api/safety-plan", json=mine).status_code == 200
    r = client.post("/api/import", json=exported).json()
    assert r["safety_plan_restored"] is False
    [offer] = [c for c in r["profile_changes"] if c["field"] == "safety_plan"]
    assert offer["current"]["reasons"] == ["My garden"] and offer["applied"] is False
    assert client.get("/api/safety-plan").json()["reasons"] == ["My garden"]

    assert client.delete("/api/account").status_code == 204
    with Session(engine) as db:
        left = db.execute(text("select count(*) from safety_plan")).scalar_one()
    assert left == 1  # only the first account's plan is still there


def test_a_contact_whose_name_is_only_spaces_is_refused_not_stored(client, user) -> None:
    r = client.put("/api/safety-plan", json={"professionals": [{"name": "   ", "phone": "123"}]})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
    assert client.get("/api/safety-plan").json()["professionals"] == []
