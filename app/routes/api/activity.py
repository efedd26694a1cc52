"""JSON: the account's activity log (sign-ins, exports, share links, ...)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from app.database import SessionDep
from app.deps import CurrentUser
from app.schemas import ERRORS, ActivityItem, ActivityOut
from app.services import activity

router = APIRouter(prefix="/api", tags=["account"], responses=ERRORS)


@router.get("/activity", response_model=ActivityOut)
def activity_log(
    user: CurrentUser, db: SessionDep, limit: int = Query(activity.SHOWN, ge=1, le=200)
) -> dict[str, Any]:
    """The latest events on this account, newest first. Never answers or note text."""
    return {"items": [ActivityItem.of(e) for e in activity.events(db, user, limit)]}
