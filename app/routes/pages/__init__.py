"""The HTML pages: one router, kept out of the OpenAPI schema."""

from __future__ import annotations

from fastapi import APIRouter

from app.routes.pages import (
    activity,
    auth,
    checkin,
    history,
    home,
    imports,
    passkeys,
    pwa,
    reminders,
    safety_plan,
    security,
    settings,
    shared,
    talking,
)

router = APIRouter(include_in_schema=False)
for _module in (
    pwa,
    home,
    auth,
    checkin,
    history,
    settings,
    reminders,
    security,
    passkeys,
    talking,
    shared,
    imports,
    activity,
    safety_plan,
):
    router.include_router(_module.router)

__all__ = ["router"]
