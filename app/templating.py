"""The Jinja2 environment shared by every page: every filter and global, none of which
touches the database (handlers gather what a page shows)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from app.assets import static_url
from app.deps import csrf_token
from app.security import CSRF_FIELD
from app.services.reminders import WEEKDAYS

LEVEL_WORDS = {
    "urgent": "Needs attention now",
    "concern": "A concern",
    "watch": "Worth keeping an eye on",
    "info": "Good to know",
}


def _as_date(value: str | date | datetime) -> date:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.date() if isinstance(value, datetime) else value


def nice_date(value: str | date | datetime | None) -> str:
    """'2026-03-02T09:00:00Z' -> '2 March 2026' (UTC date)."""
    if value is None or value == "":
        return ""
    day = _as_date(value)
    return f"{day.day} {day:%B %Y}"


def short_date(value: str | date | datetime) -> str:
    """'2026-03-02T09:00:00Z' -> '2 Mar 2026', for chart axes."""
    day = _as_date(value)
    return f"{day.day} {day:%b %Y}"


def because(reason: str) -> str:
    """Each reason reads as a sentence starting with 'Because …'."""
    reason = reason.strip()
    if reason.lower().startswith("because"):
        return reason
    return "Because " + reason[:1].lower() + reason[1:]


templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["CSRF_FIELD"] = CSRF_FIELD
# Hashed names made once at start-up (app/assets.py): the pages link files cached for a year.
templates.env.globals["static_url"] = static_url
templates.env.globals["LEVEL_WORDS"] = LEVEL_WORDS
templates.env.globals["WEEKDAYS"] = WEEKDAYS
templates.env.filters["nice_date"] = nice_date
templates.env.filters["short_date"] = short_date
templates.env.filters["because"] = because
templates.env.filters["tel"] = lambda phone: re.sub(r"[^\d+]", "", str(phone))
