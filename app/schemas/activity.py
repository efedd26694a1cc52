"""Bodies of the activity log."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ActivityItem(BaseModel):
    at: str = Field(description="When, ISO 8601 UTC")
    kind: str = Field(description="One of the kinds listed in app/services/activity.py")
    title: str = Field(description="The kind in plain words")
    detail: str = Field(description='A short detail such as "Firefox on Android", or ""')


class ActivityOut(BaseModel):
    items: list[ActivityItem]
