"""JSON: read an export back into the signed-in account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.schemas import ERRORS, ImportDoc, ImportField, ImportOut
from app.services import importer

router = APIRouter(prefix="/api", tags=["account"], responses=ERRORS)


@router.post("/import", response_model=ImportOut)
def import_export(
    body: ImportDoc,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
    apply: Annotated[list[ImportField], Query(max_length=20)] = [],  # noqa: B006 (FastAPI copies it)
) -> ImportOut:
    """Add what a JSON export holds and this account lacks; importing twice adds nothing.

    Check-ins are matched by `client_id`: the same answers are skipped, different answers
    are reported under `conflicts` and left as they are here. Nothing the account already
    has is changed unasked: `profile_changes` lists each profile value (and the safety
    plan) in the file that differs from this account's; only those named in `apply`
    (e.g. `?apply=country&apply=safety_plan`) are set. Importing the same file again with
    `apply` sets them later.
    """
    return ImportOut.of(importer.import_export(db, catalog, user, body, apply))
