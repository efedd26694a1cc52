"""Bodies of the activity log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from app.schemas.common import iso_z

if TYPE_CHECKING:
    from app.services.activity import Event


class ActivityItem(BaseModel):
    at: str = Field(description="When, ISO 8601 UTC")
    kind: str = Field(description="One of the kinds listed in app/services/activity.py")
    title: str = Field(description="The kind in plain words")
    detail: str = Field(description='A short detail such as "Firefox on Android", or ""')

    @classmethod
    def of(cls, event: Event) -> ActivityItem:
        return cls(at=iso_z(event.at), kind=event.kind, title=event.title, detail=event.detail)


class ActivityOut(BaseModel):
    items: list[ActivityItem]
