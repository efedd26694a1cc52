"""Page: upload a JSON export in Settings (the same import as POST /api/import)."""

from __future__ import annotations

import json
from datetime import date
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app import strictjson
from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.errors import Invalid
from app.models import User
from app.routes.pages.common import EXPIRED, FormDep, csrf_ok, nice_date, render, see_other
from app.schemas import ImportDoc, ImportProfile, ImportSafetyPlan
from app.services import importer
from app.services.catalog import Catalog

router = APIRouter(include_in_schema=False)

MAX_BYTES = 5 * 1024 * 1024
NOT_JSON = (
    "That file isn't a JSON export from this app. Please choose the .json file you downloaded."
)


def _problems(exc: ValidationError) -> str:
    """The first few schema problems, in words: where in the file, and what."""
    lines = []
    for error in exc.errors()[:5]:
        where = " › ".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "Nothing was imported. " + "; ".join(lines)


def _shown(catalog: Catalog, field: str, value: object) -> str:
    """A profile value in words, for the question 'use the file's value?'."""
    if value is None or value == "":
        return "not set"
    if field == "country":
        return dict(catalog.crisis.countries()).get(str(value), str(value))
    if field == "on_medication":
        return "yes" if value else "no"
    if isinstance(value, date):
        return nice_date(value)
    return str(value)


def _choices(catalog: Catalog, changes: list[importer.Difference]) -> list[dict[str, object]]:
    """Each difference as a tick box; ticked at first only where nothing would be lost."""
    rows = []
    for change in changes:
        name, here, there = change.field, change.current, change.in_file
        unset = here is None or (name == "country" and here == "OTHER")
        rows.append(
            {
                "field": name,
                "label": importer.PROFILE_LABELS.get(name, "Your safety plan"),
                "here": _shown(catalog, name, here) if name != "safety_plan" else here,
                "there": _shown(catalog, name, there) if name != "safety_plan" else there,
                "keep": json.dumps(there) if name == "safety_plan" else _raw(there),
                "ticked": unset,
            }
        )
    return rows


def _raw(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _page(request: Request, user: User, status: int, **context: object) -> Response:
    return render(request, "talking/import_result.html", {"user": user, **context}, status)


@router.get("/settings/import")
@router.get("/settings/import/changes")
def import_redirect() -> Response:
    return see_other("/settings?open=data#data")


@router.post("/settings/import/changes", response_class=HTMLResponse)
def import_changes(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    """The client's answer to "use these values from the file?": only the ticked ones."""
    page = partial(_page, request, user)

    if not csrf_ok(request, form):
        return page(403, error=EXPIRED)
    chosen = [str(v) for v in form.getlist("apply") if str(v) in importer.APPLICABLE]
    given: dict[str, object] = {}
    for name in importer.PROFILE_LABELS:
        key = f"file_{name}"
        if name in chosen and key in form:
            raw = str(form[key])
            given[name] = (raw == "yes") if name == "on_medication" else (raw or None)
    if "country" in given and given["country"] is None:
        given.pop("country")
    try:
        profile = ImportProfile.model_validate(given) if given else None
        plan = None
        if "safety_plan" in chosen and "file_safety_plan" in form:
            plan = ImportSafetyPlan.model_validate_json(str(form["file_safety_plan"]))
        applied = importer.apply_changes(db, catalog, user, profile, plan, chosen)
    except (ValidationError, ValueError):
        return page(422, error="Those values couldn't be read, so nothing was changed.")
    except Invalid as exc:
        db.rollback()  # nothing half-stored
        return page(422, error=str(exc.detail))
    labels = [importer.PROFILE_LABELS.get(name, "Your safety plan").lower() for name in applied]
    return page(200, applied=labels)


@router.post("/settings/import", response_class=HTMLResponse)
async def import_page(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    page = partial(_page, request, user)
    if not csrf_ok(request, form):
        return page(403, error=EXPIRED)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(422, error="Please choose the file to import.")
    raw = await upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return page(422, error="That file is larger than 5 MB, too big for an export.")
    try:
        doc = ImportDoc.model_validate(strictjson.loads(raw))  # JSONRefused is a JSONDecodeError
    except (UnicodeDecodeError, json.JSONDecodeError):
        return page(422, error=NOT_JSON)
    except ValidationError as exc:
        return page(422, error=_problems(exc))
    try:
        outcome = importer.import_export(db, catalog, user, doc)
    except Invalid as exc:
        db.rollback()  # nothing half-stored
        return page(422, error=str(exc.detail))
    return page(200, outcome=outcome, choices=_choices(catalog, outcome.changes))
