"""JSON: the account's activity log (sign-ins, exports, share links, ...)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.database import SessionDep
from app.deps import CurrentUser
from app.schemas import ERRORS
from app.services import activity

router = APIRouter(prefix="/api", tags=["account"], responses=ERRORS)


class ActivityItem(BaseModel):
    at: str = Field(description="When, ISO 8601 UTC")
    kind: str = Field(description="One of the kinds listed in app/services/activity.py")
    title: str = Field(description="The kind in plain words")
    detail: str = Field(description='A short detail such as "Firefox on Android", or ""')


class ActivityOut(BaseModel):
    items: list[ActivityItem]


@router.get("/activity", response_model=ActivityOut)
def activity_log(
    user: CurrentUser, db: SessionDep, limit: int = Query(activity.SHOWN, ge=1, le=200)
) -> dict[str, Any]:
    """The latest events on this account, newest first. Never answers or note text."""
    return {"items": activity.events(db, user, limit)}
