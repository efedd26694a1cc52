"""Page: the account's activity log, and the few latest events shown in Settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CurrentUser
from app.models import User
from app.routes.pages_common import render
from app.services import activity
from app.templating import templates

router = APIRouter(include_in_schema=False)

IN_SETTINGS = 5


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _shown(events: list[dict[str, Any]], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Each event with its time in the client's own time zone, e.g. "Tue 3 Mar 2026, 14:05"."""
    out = []
    for event in events:
        local = datetime.fromisoformat(event["at"].replace("Z", "+00:00")).astimezone(zone)
        out.append({**event, "when": f"{local:%a} {local.day} {local:%b %Y, %H:%M}"})
    return out


def _activity_for(request: Request, user: User, limit: int = IN_SETTINGS) -> list[dict[str, Any]]:
    """For the settings page, whichever handler renders it (on the request's session)."""
    return _shown(activity.events(request.state.db, user, limit), _zone(user))


templates.env.globals["activity_for"] = _activity_for


@router.get("/settings/activity", response_class=HTMLResponse)
def activity_page(request: Request, user: CurrentUser, db: SessionDep) -> Response:
    zone = _zone(user)
    context = {
        "user": user,
        "nav": "settings",
        "events": _shown(activity.events(db, user), zone),
        "zone": zone.key,
        "shown": activity.SHOWN,
    }
    return render(request, "settings/activity.html", context)
