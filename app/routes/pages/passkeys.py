"""Pages: the passkeys section of settings, and removing a passkey without JavaScript.

Adding a passkey and signing in with one need JavaScript (static/js/passkeys.js) and
go through the JSON API in app/routes/api/passkeys.py.
"""

from __future__ import annotations

from contextlib import suppress

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import RecentUser
from app.errors import NotFound
from app.routes.pages.common import FormDep, csrf_ok, see_other
from app.schemas import row_id
from app.services import passkeys

router = APIRouter(include_in_schema=False)

SECTION = "/settings?open=security#passkeys-title"


@router.get("/settings/passkeys/{passkey_id}/remove")
def remove_redirect(passkey_id: str) -> Response:
    """Landing here after confirming the passphrase (the form posts here): back to the list."""
    return see_other(SECTION)


@router.post("/settings/passkeys/{passkey_id}/remove", response_class=HTMLResponse)
def remove(
    passkey_id: str, request: Request, form: FormDep, user: RecentUser, db: SessionDep
) -> Response:
    if not csrf_ok(request, form):
        return see_other("/settings?passkey=expired#passkeys-title")
    number = row_id(passkey_id)  # None: no passkey can have it, as with one removed already
    with suppress(NotFound):  # removed already (a second press): the list shows the truth
        if number is not None:
            passkeys.remove(db, user, number)
    return see_other("/settings?passkey=removed#passkeys-title")
