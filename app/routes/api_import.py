"""JSON: read an export back into the signed-in account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.schemas import ERRORS, ImportDoc, ImportOut
from app.services import importer

router = APIRouter(prefix="/api", tags=["account"], responses=ERRORS)


@router.post("/import", response_model=ImportOut)
def import_export(
    body: ImportDoc, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> dict[str, Any]:
    """Add what a JSON export holds and this account lacks; importing twice adds nothing.

    Check-ins are matched by `client_id`: the same answers are skipped, different answers
    are reported under `conflicts` and left as they are here.
    """
    return importer.import_export(db, catalog, user, body)
