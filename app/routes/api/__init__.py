"""The JSON API: one router, every path under /api/ (and the health probes)."""

from __future__ import annotations

from fastapi import APIRouter

from app.routes.api import (
    account,
    activity,
    auth,
    checkins,
    health,
    imports,
    passkeys,
    push,
    safety_plan,
    sessions,
)

router = APIRouter()
for _module in (
    health,
    auth,
    checkins,
    account,
    activity,
    imports,
    push,
    passkeys,
    sessions,
    safety_plan,
):
    router.include_router(_module.router)

__all__ = ["router"]
