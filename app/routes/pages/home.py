"""Pages: home, offline, and the HTML error pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CatalogDep, OptionalUser
from app.engine import DomainTrend
from app.models import User
from app.routes.pages.common import (
    ARROWS,
    SHOWN_DOMAINS,
    crisis_view,
    domain_name,
    nice_date,
    render,
    start_sentence,
    tone,
    urgent_steps,
)
from app.services import checkins
from app.services.catalog import Catalog

router = APIRouter(include_in_schema=False)


def _glance(catalog: Catalog, domains: dict[str, DomainTrend]) -> list[dict[str, Any]]:
    """One row per domain: the start and latest value, an arrow, and which way that is."""
    rows = []
    for domain in (d for d in SHOWN_DOMAINS if d in domains):
        trend = domains[domain]
        change = trend.change_from_start
        feel = tone(change, trend.higher_is)
        words = "no change" if feel == "same" else feel
        rows.append(
            {
                "name": domain_name(catalog, domain),
                "start": trend.start,
                "latest": trend.latest,
                "arrow": ARROWS[(change > 0) - (change < 0)],
                "tone": feel,
                "words": words,
            }
        )
    return rows


def _start_note(domains: dict[str, DomainTrend]) -> str:
    counts = [domains[d].start_checkins for d in SHOWN_DOMAINS if d in domains]
    return start_sentence(max(counts, default=1))


def _home_context(db: Any, catalog: Catalog, user: User) -> dict[str, Any]:
    summary = checkins.summary(db, catalog, user)
    due = summary.next_checkin_due
    context: dict[str, Any] = {
        "user": user,
        "nav": "home",
        "latest": None,
        "profile_missing": user.therapy_started_on is None,
        "due": nice_date(due),
        "overdue": due < date.today(),
        "due_today": due == date.today(),
        # Checked in within the last week: the home page doesn't ask for this week's again.
        "done_this_week": checkins.this_weeks(db, user) is not None,
        "glance": _glance(catalog, summary.domains),
        "start_note": _start_note(summary.domains),
    }
    if summary.latest is not None:
        latest = summary.latest  # the template reads its signs, id, urgent
        context.update(latest=latest, latest_on=nice_date(latest.taken_at))
        if latest.urgent:
            entry = catalog.crisis.for_country(user.country)
            context.update(crisis=crisis_view(entry), urgent_steps=urgent_steps(latest, entry))
    return context


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: OptionalUser, db: SessionDep, catalog: CatalogDep) -> Response:
    if user is None:
        return render(request, "home.html", {"user": None})
    return render(request, "home.html", _home_context(db, catalog, user))


@router.get("/offline", response_class=HTMLResponse)
def offline(request: Request) -> Response:
    return render(request, "offline.html", {"user": None})
