"""The client's own safety plan: read, save, export and import (encrypted at rest)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from app import repositories as repo
from app.crypto import UNREADABLE
from app.models import SafetyPlan, User, utcnow
from app.schemas import SafetyPlanIn, iso_z

PARTS = (
    "warning_signs",
    "coping",
    "distractions",
    "people",
    "professionals",
    "safer_surroundings",
    "reasons",
)


def empty() -> dict[str, Any]:
    return {part: [] for part in PARTS}


def get(db: Session, user: User) -> dict[str, Any]:
    """The plan as the JSON of the contract (every list present, maybe empty)."""
    assert user.id is not None
    row = repo.safety_plan_of(db, user.id)
    if row is None or row.plan == UNREADABLE:
        return {**empty(), "updated_at": None}
    stored = SafetyPlanIn.model_validate(json.loads(row.plan))
    return {
        **stored.model_dump(),
        "updated_at": iso_z(row.updated_at),
    }


def has_plan(plan: dict[str, Any]) -> bool:
    return any(plan.get(part) for part in PARTS)


def save(db: Session, user: User, plan: SafetyPlanIn) -> dict[str, Any]:
    """Replace the plan (an all-empty plan is kept too: the client cleared it)."""
    assert user.id is not None
    row = repo.safety_plan_of(db, user.id) or SafetyPlan(user_id=user.id, plan="")
    row.plan = json.dumps(plan.model_dump(), ensure_ascii=False)
    row.updated_at = utcnow()
    repo.add(db, row)
    return get(db, user)


def contact_number(plan: dict[str, Any]) -> str | None:
    """The first professional's phone number ("contact your therapist now" calls it)."""
    return next((p["phone"] for p in plan.get("professionals", []) if p.get("phone")), None)
