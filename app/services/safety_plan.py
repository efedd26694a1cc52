"""The client's own safety plan: read, save, export and import (encrypted at rest)."""

from __future__ import annotations

import json

from sqlmodel import Session

from app import repositories as repo
from app.crypto import UNREADABLE
from app.models import SafetyPlan, User, utcnow
from app.schemas import SafetyPlanIn, StoredSafetyPlan

PARTS = (
    "warning_signs",
    "coping",
    "distractions",
    "people",
    "professionals",
    "safer_surroundings",
    "reasons",
)


def empty() -> StoredSafetyPlan:
    return StoredSafetyPlan()


def read(db: Session, user: User) -> StoredSafetyPlan:
    """The plan (every part present, maybe empty); the API sends SafetyPlanOut.of(it)."""
    assert user.id is not None
    row = repo.safety_plan_of(db, user.id)
    if row is None or row.plan == UNREADABLE:
        return empty()
    return StoredSafetyPlan.model_validate({**json.loads(row.plan), "updated_at": row.updated_at})


def has_plan(plan: SafetyPlanIn) -> bool:
    return any(getattr(plan, part) for part in PARTS)


def save(db: Session, user: User, plan: SafetyPlanIn) -> StoredSafetyPlan:
    """Replace the plan (an all-empty plan is kept too: the client cleared it)."""
    assert user.id is not None
    row = repo.safety_plan_of(db, user.id) or SafetyPlan(user_id=user.id, plan="")
    row.plan = json.dumps(plan.model_dump(), ensure_ascii=False)
    row.updated_at = utcnow()
    repo.add(db, row)
    return read(db, user)


def contact_number(plan: SafetyPlanIn) -> str | None:
    """The first professional's phone number ("contact your therapist now" calls it)."""
    return next((p.phone for p in plan.professionals if p.phone), None)
