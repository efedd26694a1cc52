"""JSON: the client's own safety plan."""

from __future__ import annotations

from fastapi import APIRouter

from app.database import SessionDep
from app.deps import CurrentUser
from app.schemas import ERRORS, SafetyPlanIn, SafetyPlanOut
from app.services import safety_plan

router = APIRouter(prefix="/api/safety-plan", tags=["safety plan"], responses=ERRORS)


@router.get("", response_model=SafetyPlanOut)
def read(user: CurrentUser, db: SessionDep) -> SafetyPlanOut:
    """The plan in the client's own words; every part is a list, maybe empty."""
    return SafetyPlanOut.of(safety_plan.read(db, user))


@router.put("", response_model=SafetyPlanOut)
def replace(body: SafetyPlanIn, user: CurrentUser, db: SessionDep) -> SafetyPlanOut:
    """Replace the whole plan; blank lines are dropped, phone numbers checked."""
    return SafetyPlanOut.of(safety_plan.save(db, user, body))
