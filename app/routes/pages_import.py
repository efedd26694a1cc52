"""Page: upload a JSON export in Settings (the same import as POST /api/import)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.errors import Invalid
from app.routes.pages_common import EXPIRED, FormDep, csrf_ok, render, see_other
from app.schemas import ImportDoc
from app.services import importer

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


@router.get("/settings/import")
def import_redirect() -> Response:
    return see_other("/settings#data")


@router.post("/settings/import", response_class=HTMLResponse)
async def import_page(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    def page(status: int, **context: object) -> Response:
        return render(request, "talking/import_result.html", {"user": user, **context}, status)

    if not csrf_ok(request, form):
        return page(403, error=EXPIRED)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(422, error="Please choose the file to import.")
    raw = await upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return page(422, error="That file is larger than 5 MB, too big for an export.")
    try:
        doc = ImportDoc.model_validate(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return page(422, error=NOT_JSON)
    except ValidationError as exc:
        return page(422, error=_problems(exc))
    try:
        outcome = importer.import_export(db, catalog, user, doc)
    except Invalid as exc:
        db.rollback()  # nothing half-stored
        return page(422, error=str(exc.detail))
    return page(200, outcome=outcome)
