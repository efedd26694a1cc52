"""Pages: confirm the passphrase again, recovery codes, sessions and passphrase in settings."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import WRITES, SessionDep
from app.deps import CatalogDep, CurrentUser, OptionalUser, SettingsDep, set_session_cookie
from app.errors import DomainError, Invalid, NotFound, TooManyRequests
from app.routes.pages.common import EXPIRED, FormDep, csrf_ok, field, render, safe_next, see_other
from app.routes.pages.settings_view import settings_page
from app.schemas import row_id
from app.security import SESSION_COOKIE
from app.services import sessions

router = APIRouter(include_in_schema=False)


def _token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


@router.get("/reauth", response_class=HTMLResponse)
def reauth_form(request: Request, user: CurrentUser, next: str = "/settings") -> Response:
    return render(
        request, "auth/reauth.html", {"user": user, "next": safe_next(next), "errors": {}}
    )


@router.post("/reauth", response_class=HTMLResponse)
def reauth(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> Response:
    target = safe_next(field(form, "next"))
    context: dict[str, Any] = {"user": user, "next": target, "errors": {}}
    if not csrf_ok(request, form):
        return render(request, "auth/reauth.html", {**context, "message": EXPIRED}, 403)
    try:
        fresh = sessions.reauthenticate(
            db, settings, user, _token(request), field(form, "password")
        )
    except Invalid:
        db.rollback()
        return render(
            request,
            "auth/reauth.html",
            {**context, "errors": {"password": "That passphrase doesn't match."}},
            422,
        )
    except TooManyRequests as exc:
        return render(
            request,
            "auth/reauth.html",
            {**context, "message": exc.detail},
            429,
            headers=exc.headers,
        )
    response = see_other(target)
    set_session_cookie(response, fresh, settings)  # a new token: the old one stops working
    return response


@router.get("/recover", response_class=HTMLResponse)
def recover_form(request: Request, user: OptionalUser) -> Response:
    return render(request, "auth/recover.html", {"user": user, "username": "", "errors": {}})


@router.post("/recover", response_class=HTMLResponse)
def recover(request: Request, form: FormDep, db: SessionDep, settings: SettingsDep) -> Response:
    username = field(form, "username").strip()
    context: dict[str, Any] = {"user": None, "username": username, "errors": {}}
    if not csrf_ok(request, form):
        return render(request, "auth/recover.html", {**context, "message": EXPIRED}, 403)
    try:
        new = sessions.reset_with_recovery_code(
            db,
            settings,
            username=username,
            code=field(form, "code"),
            new_password=field(form, "new_password"),
            user_agent=request.headers.get("user-agent", ""),
        )
    except Invalid as exc:
        db.rollback()
        return render(request, "auth/recover.html", {**context, "errors": exc.fields}, 422)
    except TooManyRequests as exc:
        return render(
            request,
            "auth/recover.html",
            {**context, "message": exc.detail},
            429,
            headers=exc.headers,
        )
    response = see_other("/settings?saved=passphrase")
    set_session_cookie(response, new.token, settings)
    return response


@router.post("/settings/sessions/{session_id}/end", response_class=HTMLResponse)
def end_session(
    session_id: str,
    request: Request,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
) -> Response:
    if not csrf_ok(request, form):
        return settings_page(request, db, catalog, user, 403, security_message=EXPIRED)
    number = row_id(session_id)  # None: no session can have it, as with one already gone
    with contextlib.suppress(NotFound):  # already gone: the list shows the truth
        if number is not None:
            sessions.end(db, user, number)
    return see_other("/settings?saved=sessions#sessions-title")


@router.post("/settings/sessions/end-others", response_class=HTMLResponse)
def end_others(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    if not csrf_ok(request, form):
        return settings_page(request, db, catalog, user, 403, security_message=EXPIRED)
    sessions.end_others(db, user, _token(request))
    return see_other("/settings?saved=sessions#sessions-title")


@router.post("/settings/passphrase", response_class=HTMLResponse)
def change_passphrase(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
    settings: SettingsDep,
) -> Response:
    if not csrf_ok(request, form):
        return settings_page(
            request, db, catalog, user, 403, security_errors={"current_password": EXPIRED}
        )
    try:
        fresh = sessions.change_passphrase(
            db,
            settings,
            user,
            _token(request),
            field(form, "current_password"),
            field(form, "new_password"),
        )
    except Invalid as exc:
        db.rollback()
        errors = dict(exc.fields)
        if "password" in errors:
            errors["current_password"] = errors.pop("password").replace(" Nothing was deleted.", "")
        return settings_page(request, db, catalog, user, 422, security_errors=errors)
    except DomainError:
        db.rollback()
        raise
    response = see_other("/settings?saved=passphrase#passphrase-title")
    set_session_cookie(response, fresh, settings)  # a new token: the old one stops working
    return response


@router.get("/settings/export", dependencies=[WRITES])
def export(user: CurrentUser, request: Request, db: SessionDep, format: str = "json") -> Response:
    """The settings page's download link: confirm the passphrase if needed, then download."""
    sessions.require_recent(db, _token(request))
    return see_other("/api/export?format=csv" if format == "csv" else "/api/export")
