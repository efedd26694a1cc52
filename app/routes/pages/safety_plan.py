"""Page: the client's own safety plan, to make, change, print, and have offline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.models import User
from app.routes.pages.common import EXPIRED, FormDep, crisis_view, csrf_ok, field, render, see_other
from app.schemas import SafetyPlanIn, StoredSafetyPlan
from app.services import safety_plan
from app.services.catalog import Catalog

router = APIRouter(include_in_schema=False)

# The parts written as lines, with a hint each (Stanley & Brown's safety plan).
LINE_PARTS = (
    ("warning_signs", "Thoughts, feelings or situations that tell you a crisis may be building."),
    ("coping", "Things you can do on your own to get through, such as a walk or a shower."),
    ("distractions", "People or places that take your mind off things for a while."),
    ("safer_surroundings", "How you can make things safer, such as giving medicines to someone."),
    ("reasons", "The people, plans or things that matter to you."),
)
CONTACT_PARTS = (
    ("people", "Friends or family you could call or be with."),
    (
        "professionals",
        "Your therapist, doctor or a service. The first number here is the one "
        '"contact your therapist now" calls.',
    ),
)
ROWS = 3
SAVED = (
    "Saved. Your plan is here whenever you need it, and shown with the help after a hard answer."
)


def _values(plan: StoredSafetyPlan) -> dict[str, str]:
    """The stored plan as form values."""
    values = {part: "\n".join(getattr(plan, part)) for part, _hint in LINE_PARTS}
    for part, _hint in CONTACT_PARTS:
        for n, contact in enumerate(getattr(plan, part)[:ROWS]):
            values[f"{part}_{n}_name"] = contact.name
            values[f"{part}_{n}_phone"] = contact.phone
    return values


def _from_form(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    values: dict[str, str] = {}
    body: dict[str, Any] = {}
    for part, _hint in LINE_PARTS:
        values[part] = field(form, part)
        body[part] = values[part].splitlines()
    for part, _hint in CONTACT_PARTS:
        contacts = []
        for n in range(ROWS):
            name, phone = (field(form, f"{part}_{n}_{key}") for key in ("name", "phone"))
            values[f"{part}_{n}_name"], values[f"{part}_{n}_phone"] = name, phone
            if name.strip() or phone.strip():
                contacts.append({"name": name.strip() or "Someone", "phone": phone})
        body[part] = contacts
    return values, body


_PROBLEMS = {
    "string_too_long": "Please keep each line under 300 characters.",
    "too_long": "Please keep to 10 lines.",
    "value_error": "That phone number has something other than digits, spaces, ( ) - . or +.",
    "string_pattern_mismatch": (
        "That phone number has something other than digits, spaces, ( ) - . or +."
    ),
}


def _page(
    request: Request,
    catalog: Catalog,
    user: User,
    plan: StoredSafetyPlan,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context = {
        "user": user,
        "nav": "settings",
        "plan": plan,
        "has_plan": safety_plan.has_plan(plan),
        "crisis": crisis_view(catalog.crisis.for_country(user.country)),
        "form_values": _values(plan),
        "errors": {},
        "LINE_PARTS": LINE_PARTS,
        "CONTACT_PARTS": CONTACT_PARTS,
        **extra,
    }
    return render(request, "safety/plan.html", context, status_code)


@router.get("/safety-plan", response_class=HTMLResponse)
def plan_page(
    request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep, saved: str = ""
) -> Response:
    extra: dict[str, Any] = {"message": SAVED, "message_kind": "ok"} if saved else {}
    return _page(request, catalog, user, safety_plan.read(db, user), 200, **extra)


@router.post("/safety-plan", response_class=HTMLResponse)
def plan_save(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    values, body = _from_form(form)
    plan = safety_plan.read(db, user)
    if not csrf_ok(request, form):
        return _page(request, catalog, user, plan, 403, form_values=values, message=EXPIRED)
    try:
        checked = SafetyPlanIn.model_validate(body)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors(include_input=False):
            part = str(error["loc"][0])
            errors.setdefault(part, _PROBLEMS.get(error["type"], "Please look at this part again."))
        return _page(request, catalog, user, plan, 422, form_values=values, errors=errors)
    safety_plan.save(db, user, checked)
    return see_other("/safety-plan?saved=1")
