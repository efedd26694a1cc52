"""Page: the account's activity log, and the few latest events shown in Settings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CurrentUser
from app.routes.pages.common import render
from app.routes.pages.settings_view import events_shown, zone_of
from app.services import activity

router = APIRouter(include_in_schema=False)


@router.get("/settings/activity", response_class=HTMLResponse)
def activity_page(request: Request, user: CurrentUser, db: SessionDep) -> Response:
    zone = zone_of(user)
    context = {
        "user": user,
        "nav": "settings",
        "events": events_shown(activity.events(db, user), zone),
        "zone": zone.key,
        "shown": activity.SHOWN,
    }
    return render(request, "settings/activity.html", context)
