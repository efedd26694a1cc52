"""Settings: one view for every section, whichever form's handler renders the page.

Everything the sections show is gathered here, on the request's session, so a form sent
back with a mistake shows the rest of the page as it was; templates query nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.models import User
from app.routes.pages.common import render
from app.schemas import iso_z
from app.security import SESSION_COOKIE
from app.services import activity, passkeys, safety_plan, sessions, sharing
from app.services.catalog import Catalog

SAVED = {
    "profile": "Saved. Your check-ins and help numbers now follow these settings.",
    "reminder": "Saved your reminder.",
    "passphrase": "Your passphrase is changed. Every other device has been signed out.",
    "sessions": "Done. That device is signed out.",
    "link": "Link revoked. It no longer opens.",
}
# Shown beside the name form in the sharing section, where the page lands after saving.
NAME_SAVED = {
    "name": "Saved. Sheets you share now show this name, including links you made before.",
    "noname": "Saved. Sheets you share now show no name.",
}


# The folded part of the page that a notice or an error belongs to comes back open.
OPENS = {
    "profile_errors": "profile",
    "profile_message": "profile",
    "reminder_errors": "reminders",
    "reminder_message": "reminders",
    "security_errors": "security",
    "security_message": "security",
    "delete_errors": "delete",
    "delete_message": "delete",
}
SECTIONS = ("profile", "reminders", "safety", "security", "sharing", "data", "delete")
SAVED_IN = {
    "profile": "profile",
    "reminder": "reminders",
    "passphrase": "security",
    "sessions": "security",
    "link": "sharing",
    "name": "sharing",
    "noname": "sharing",
}


# ?passkey=... after a change: (message, notice kind).
PASSKEY_NOTICES = {
    "added": ("Passkey added. Next time, you can sign in with it.", "ok"),
    "removed": ("Passkey removed. It can no longer sign in to your account.", "ok"),
    "expired": (
        "Sorry, that didn't go through because the page was open too long. "
        "Please press Remove again.",
        "error",
    ),
}
EVENTS_SHOWN = 5  # the latest activity in Settings; /settings/activity has the rest


def zone_of(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def events_shown(events: list[activity.Event], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Each event with its time in the client's own time zone, e.g. "Tue 3 Mar 2026, 14:05"."""
    out = []
    for event in events:
        local = event.at.astimezone(zone)
        out.append(
            {
                "at": iso_z(event.at),
                "when": f"{local:%a} {local.day} {local:%b %Y, %H:%M}",
                "title": event.title,
                "detail": event.detail,
            }
        )
    return out


def settings_context(
    request: Request, db: Session, catalog: Catalog, user: User, **extra: Any
) -> dict[str, Any]:
    """Every section's data, then the handler's own (a notice, errors, what was typed)."""
    context: dict[str, Any] = {
        "user": user,
        "nav": "settings",
        "countries": catalog.crisis.countries(),
        "started": user.therapy_started_on.isoformat() if user.therapy_started_on else "",
        "on_medication": user.on_medication,
        "country": user.country,
        "goals": user.goals or "",
        "display_name": user.display_name or "",
        "today": date.today().isoformat(),
        "profile_errors": {},
        "delete_errors": {},
        "share_links": sharing.listing(db, user),
        "has_safety_plan": safety_plan.has_plan(safety_plan.read(db, user)),
        "sessions": sessions.listing(db, user, request.cookies.get(SESSION_COOKIE)),
        "passkeys": passkeys.listing(db, user),
        "passkey_note": PASSKEY_NOTICES.get(request.query_params.get("passkey", "")),
        "events": events_shown(activity.events(db, user, EVENTS_SHOWN), zone_of(user)),
    }
    context.update(extra)
    if context.get("open_section") is None:
        context["open_section"] = next((OPENS[k] for k in OPENS if context.get(k)), None)
    return context


def settings_page(
    request: Request,
    db: Session,
    catalog: Catalog,
    user: User,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The Settings page, as any of its forms' handlers answers."""
    context = settings_context(request, db, catalog, user, **extra)
    return render(request, "settings/index.html", context, status_code)
