"""Pages: the weekly check-in form (works without JavaScript) and one result."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser, OptionalUser
from app.engine import DomainScore, Item
from app.engine.change_words import how_much
from app.errors import Conflict, Invalid
from app.models import User
from app.routes.pages.checkin_view import client_id_of, form_context, fresh_id, plan_context
from app.routes.pages.common import (
    EXPIRED,
    SHOWN_DOMAINS,
    FormDep,
    crisis_view,
    csrf_ok,
    direction_words,
    domain_name,
    field,
    nice_date,
    render,
    see_other,
    urgent_steps,
)
from app.security import CSRF_FIELD
from app.services import checkins, safety_plan
from app.services.catalog import Catalog
from app.services.checkins import Result

router = APIRouter(include_in_schema=False)

CONFLICT = (
    "These answers differ from a check-in you already sent from this form, so we kept both "
    "apart. Press send again to save them as a new check-in."
)
SIGNED_OUT = "You were signed out while you answered. Please sign in again to send it."
_CARRY_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
NONE_VALUE = "none"  # the form value of an item's none_label choice


def _parse(
    items: list[Item], form: FormData
) -> tuple[dict[str, str], dict[str, int], dict[str, str]]:
    """Raw values (to re-check the radios), integer answers, and not-a-number errors."""
    values: dict[str, str] = {}
    answers: dict[str, int] = {}
    errors: dict[str, str] = {}
    for item in items:
        raw = field(form, item.id).strip()
        if not raw:
            continue
        values[item.id] = raw
        if item.none_label and raw == NONE_VALUE:
            continue  # "No session this week": kept on the form, stored as no answer
        try:
            answers[item.id] = int(raw)
        except ValueError:
            errors[item.id] = "Please choose one of the answers."
    return values, answers, errors


@router.get("/checkin", response_class=HTMLResponse)
def checkin_form(
    request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    plan = safety_plan.read(db, user)
    context = form_context(catalog, user, plan=plan)
    done = checkins.this_weeks(db, user)
    if done is not None:
        context["done"] = {"id": done.id, "on": nice_date(done.taken_at)}
    return render(request, "checkin/form.html", context)


@router.post("/checkin", response_class=HTMLResponse)
def checkin_submit(
    request: Request, form: FormDep, user: OptionalUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    if user is None:
        return _sign_in_to_send(request, form)
    quest = catalog.questionnaire
    values, answers, errors = _parse(quest.weekly_items(user.on_medication), form)
    keep: dict[str, Any] = {
        "values": values,
        "note": field(form, "note"),
        "client_id": client_id_of(field(form, "client_id")),
    }
    if not csrf_ok(request, form):
        return render(
            request, "checkin/form.html", form_context(catalog, user, **keep, message=EXPIRED), 403
        )
    problems = {**quest.check_answers(answers, user.on_medication), **errors}
    if problems:
        return render(
            request, "checkin/form.html", form_context(catalog, user, **keep, errors=problems), 422
        )
    try:
        row, _created = checkins.submit(
            db,
            catalog,
            user,
            client_id=keep["client_id"],
            taken_at=None,
            answers=answers,
            note=keep["note"],
        )
    except Invalid as exc:
        db.rollback()
        problems = exc.fields or {"answers": str(exc.detail)}
        return render(
            request, "checkin/form.html", form_context(catalog, user, **keep, errors=problems), 422
        )
    except Conflict:
        db.rollback()
        keep["client_id"] = fresh_id()
        return render(
            request, "checkin/form.html", form_context(catalog, user, **keep, message=CONFLICT), 409
        )
    return see_other(f"/checkins/{row.id}")


def _sign_in_to_send(request: Request, form: FormData) -> Response:
    """No session any more: keep everything typed in the sign-in form, never drop it."""
    carried = {
        key: value[:2000]
        for key, value in form.multi_items()
        if isinstance(value, str) and key != CSRF_FIELD and _CARRY_KEY.match(key)
    }
    context = {
        "username": "",
        "errors": {},
        "next": "/checkin",
        "message": SIGNED_OUT,
        "carry": json.dumps(dict(list(carried.items())[:50])),
    }
    return render(request, "auth/login.html", context, 401)


def _changes(
    catalog: Catalog, now: dict[str, DomainScore], before: dict[str, DomainScore] | None
) -> list[dict[str, Any]]:
    """Per domain: how it moved since last time in words, then the numbers."""
    rows = []
    for domain in (d for d in SHOWN_DOMAINS if d in now):
        score = now[domain]
        old = (before or {}).get(domain)
        words = ""
        if old is not None:
            moved = score.value - old.value
            words = how_much(moved if score.higher_is == "better" else -moved) + " last time"
        rows.append(
            {
                "name": domain_name(catalog, domain),
                "after": score.value,
                "before": old.value if old is not None else None,
                "words": words,
                "direction": direction_words(score.higher_is),
            }
        )
    return rows


@router.get("/checkins/{checkin_id}", response_class=HTMLResponse)
def result_page(
    request: Request, checkin_id: str, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    result = checkins.get(db, user, checkin_id)  # NotFound: the 404 page
    return _result(request, user, db, catalog, result)


def _result(
    request: Request,
    user: User,
    db: SessionDep,
    catalog: Catalog,
    result: Result,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    previous = checkins.previous(db, user, result)
    entry = catalog.crisis.for_country(user.country)
    urgent = result.urgent
    context = {
        "user": user,
        "nav": None,  # a result is no menu item of its own
        "result": result,
        "taken_on": nice_date(result.taken_at),
        "has_previous": previous is not None,
        "changes": _changes(catalog, result.scores, previous.scores if previous else None),
        # The crisis box at the top already holds urgent_help; don't repeat it below.
        "next_steps": [s for s in result.suggestions if not (urgent and s.id == "urgent_help")],
        "crisis": crisis_view(entry),
        "urgent_steps": urgent_steps(result, entry) if urgent else [],
        # How often the thoughts came changes the words, never the place or the help.
        "urgent_why": next((s.why for s in result.suggestions if s.id == "urgent_help"), None),
        "follow_up": checkins.follow_up_offered(catalog, user, result),
        **(plan_context(db, user) if urgent else {}),
        **(extra or {}),
    }
    return render(request, "checkin/result.html", context, status_code)


@router.post("/checkins/{checkin_id}/follow-up", response_class=HTMLResponse)
def follow_up_submit(
    request: Request,
    checkin_id: str,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
) -> Response:
    result = checkins.get(db, user, checkin_id)  # NotFound: the 404 page
    items = checkins.follow_up_offered(
        catalog, user, result
    ) or catalog.questionnaire.follow_up_items(user.on_medication)
    values, answers, errors = _parse(items, form)
    if not csrf_ok(request, form):
        return _result(
            request, user, db, catalog, result, {"fu_values": values, "message": EXPIRED}, 403
        )
    if not answers and not errors:
        errors = {"answers": "Please choose an answer, or skip these questions."}
    if not errors:
        try:
            checkins.add_follow_up(db, catalog, user, checkin_id, answers)
        except Invalid as exc:
            db.rollback()
            errors = exc.fields or {"answers": str(exc.detail)}
    if errors:
        extra = {"fu_values": values, "fu_errors": errors}
        return _result(request, user, db, catalog, result, extra, 422)
    return see_other(f"/checkins/{checkin_id}#steps-title")


@router.get("/checkins/{checkin_id}/delete", response_class=HTMLResponse)
def delete_confirm(
    request: Request, checkin_id: str, user: CurrentUser, db: SessionDep
) -> Response:
    """Ask before deleting one check-in (a mistaken or repeated answer)."""
    return _delete_page(request, user, checkins.get(db, user, checkin_id))


def _delete_page(
    request: Request, user: User, row: Result, message: str | None = None, status: int = 200
) -> Response:
    context = {
        "user": user,
        "nav": None,
        "row": row,
        "taken_on": nice_date(row.taken_at),
        "message": message,
    }
    return render(request, "checkin/delete.html", context, status)


@router.post("/checkins/{checkin_id}/delete", response_class=HTMLResponse)
def delete_submit(
    request: Request,
    checkin_id: str,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
) -> Response:
    row = checkins.get(db, user, checkin_id)
    if not csrf_ok(request, form):
        return _delete_page(request, user, row, EXPIRED, 403)
    checkins.delete(db, catalog, user, checkin_id)
    return see_other("/history?deleted=1")
