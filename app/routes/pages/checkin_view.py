"""What the check-in form shows: shared by the check-in pages and sign-in (which brings
carried answers back to the form)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.database import SessionDep
from app.models import User
from app.routes.pages.common import crisis_view, render
from app.schemas import StoredSafetyPlan
from app.services import checkins, safety_plan
from app.services.catalog import Catalog


def fresh_id() -> str:
    return str(uuid.uuid4())


def client_id_of(raw: object) -> str:
    """The form's uuid4, normalised; a fresh one if it was tampered with."""
    try:
        return str(uuid.UUID(str(raw)))
    except ValueError:
        return fresh_id()


def plan_context(db: SessionDep, user: User) -> dict[str, Any]:
    """The client's own plan beside crisis help, and their therapist's number to call."""
    plan = safety_plan.read(db, user)
    return {
        "plan": plan,
        "has_plan": safety_plan.has_plan(plan),
        "therapist_phone": safety_plan.contact_number(plan),
    }


def form_context(
    catalog: Catalog,
    user: User,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    note: str = "",
    client_id: str | None = None,
    message: str | None = None,
    message_kind: str = "error",
    plan: StoredSafetyPlan | None = None,
) -> dict[str, Any]:
    quest = catalog.questionnaire
    items = quest.weekly_items(user.on_medication)
    labels = {item.id: item.text for item in items}
    labels.update(note=quest.note.label, answers="Your answers")
    entry = catalog.crisis.for_country(user.country)
    urgent = catalog.rules.wording.suggestions["urgent_help"]
    return {
        "user": user,
        "nav": "checkin",
        # Shown at once by the page itself when a risk answer is saved offline: the
        # cached form carries the client's crisis lines and the short safety plan.
        "offline_crisis": crisis_view(entry),
        "offline_steps": [*urgent.steps, *([entry.means_safety] if entry.means_safety else [])],
        "offline_fallback": crisis_view(catalog.crisis.for_country(None))
        if entry.code != catalog.crisis.fallback
        else None,
        "plan": plan,
        "has_plan": plan is not None and safety_plan.has_plan(plan),
        "therapist_phone": safety_plan.contact_number(plan) if plan else None,
        "items": items,
        "labels": labels,
        "values": values or {},
        "errors": errors or {},
        "note": note,
        "client_id": client_id or fresh_id(),
        "message": message,
        "message_kind": message_kind,
        "note_label": quest.note.label,
        "note_hint": quest.note.hint,
        "note_max": min(quest.note.max_length, checkins.NOTE_MAX),
    }


def resume_checkin(request: Request, catalog: Catalog, user: User, carry: str) -> Response:
    """After signing in again: the check-in form with the carried answers, ready to send."""
    try:
        data = json.loads(carry)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    items = catalog.questionnaire.weekly_items(user.on_medication)
    values = {it.id: str(data[it.id]) for it in items if isinstance(data.get(it.id), str)}
    note = data.get("note")
    message = "Welcome back. Your answers are still here: check them and send."
    context = form_context(
        catalog,
        user,
        values=values,
        note=note if isinstance(note, str) else "",
        client_id=client_id_of(data.get("client_id")),
        message=message,
        message_kind="info",
    )
    return render(request, "checkin/form.html", context)
