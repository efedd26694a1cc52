"""Settings: the weekly reminder form and its calendar file."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.errors import Invalid
from app.routes.pages.common import EXPIRED, FormDep, csrf_ok, field, see_other
from app.routes.pages.settings_view import settings_page
from app.schemas.push import TIMEZONE_MAX
from app.services import reminders

router = APIRouter(include_in_schema=False)


@router.get("/settings/reminders")
def reminders_redirect() -> Response:
    return see_other("/settings?open=reminders#reminder-title")


@router.post("/settings/reminders", response_class=HTMLResponse)
def save_reminder(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    if not csrf_ok(request, form):
        return settings_page(request, db, catalog, user, 403, reminder_errors={"time": EXPIRED})
    day = field(form, "weekday").strip()
    at = field(form, "time").strip()
    zone = field(form, "timezone").strip()
    if len(zone) > TIMEZONE_MAX:  # no zone is named so; the API's limit too
        errors = {"timezone": "Unknown time zone."}
        return settings_page(request, db, catalog, user, 422, reminder_errors=errors)
    try:
        weekday = int(day) if day else None
    except ValueError:
        weekday = 0
    try:
        reminders.set_schedule(
            db,
            user,
            weekday,
            (at or None) if weekday else None,
            zone or None,
        )
    except Invalid as exc:
        return settings_page(request, db, catalog, user, 422, reminder_errors=exc.fields)
    return see_other("/settings?saved=reminder#reminder-title")


@router.get("/settings/reminder.ics")
def reminder_ics(request: Request, user: CurrentUser) -> Response:
    url = str(request.base_url).rstrip("/") + "/checkin"
    return Response(
        reminders.ics(user, url),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="therapy-checkin-reminder.ics"'},
    )
