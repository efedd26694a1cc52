"""Pages: the passkeys section of settings, and removing a passkey without JavaScript.

Adding a passkey and signing in with one need JavaScript (static/js/passkeys.js) and
go through the JSON API in api_passkeys.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import RecentUser
from app.errors import NotFound
from app.models import User
from app.routes.pages_common import FormDep, csrf_ok, see_other
from app.services import passkeys
from app.templating import templates

router = APIRouter(include_in_schema=False)

SECTION = "/settings?open=security#passkeys-title"
# ?passkey=... after a change: (message, notice kind).
NOTICES = {
    "added": ("Passkey added. Next time, you can sign in with it.", "ok"),
    "removed": ("Passkey removed. It can no longer sign in to your account.", "ok"),
    "expired": (
        "Sorry, that didn't go through because the page was open too long. "
        "Please press Remove again.",
        "error",
    ),
}


def _passkeys_for(request: Request, user: User) -> list[dict[str, Any]]:
    """For the settings page, whichever handler renders it (on the request's session)."""
    return passkeys.listing(request.state.db, user)


def _passkey_notice(request: Request) -> tuple[str, str] | None:
    return NOTICES.get(request.query_params.get("passkey", ""))


templates.env.globals["passkeys_for"] = _passkeys_for
templates.env.globals["passkey_notice"] = _passkey_notice


@router.get("/settings/passkeys/{passkey_id}/remove")
def remove_redirect(passkey_id: int) -> Response:
    """Landing here after confirming the passphrase (the form posts here): back to the list."""
    return see_other(SECTION)


@router.post("/settings/passkeys/{passkey_id}/remove", response_class=HTMLResponse)
def remove(
    passkey_id: int, request: Request, form: FormDep, user: RecentUser, db: SessionDep
) -> Response:
    if not csrf_ok(request, form):
        return see_other("/settings?passkey=expired#passkeys-title")
    with suppress(NotFound):  # removed already (a second press): the list shows the truth
        passkeys.remove(db, user, passkey_id)
    return see_other("/settings?passkey=removed#passkeys-title")
