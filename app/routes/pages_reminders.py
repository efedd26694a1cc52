"""Settings: the weekly reminder form and its calendar file."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.errors import Invalid
from app.routes.pages_common import EXPIRED, FormDep, csrf_ok, field, render, see_other
from app.routes.pages_settings import _context
from app.services import reminders
from app.templating import templates

router = APIRouter(include_in_schema=False)
templates.env.globals["WEEKDAYS"] = reminders.WEEKDAYS


@router.get("/settings/reminders")
def reminders_redirect() -> Response:
    return see_other("/settings?open=reminders#reminder-title")


@router.post("/settings/reminders", response_class=HTMLResponse)
def save_reminder(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    if not csrf_ok(request, form):
        return render(
            request,
            "settings/index.html",
            _context(catalog, user, reminder_errors={"time": EXPIRED}),
            403,
        )
    day = field(form, "weekday").strip()
    at = field(form, "time").strip()
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
            field(form, "timezone").strip() or None,
        )
    except Invalid as exc:
        return render(
            request, "settings/index.html", _context(catalog, user, reminder_errors=exc.fields), 422
        )
    return see_other("/settings?saved=reminder#reminder-title")


@router.get("/settings/reminder.ics")
def reminder_ics(request: Request, user: CurrentUser) -> Response:
    url = str(request.base_url).rstrip("/") + "/checkin"
    return Response(
        reminders.ics(user, url),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="therapy-checkin-reminder.ics"'},
    )
