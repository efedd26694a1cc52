"""Pages: sign up (recovery codes shown once), sign in, sign out."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from app.crypto import NoteUnreadable
from app.database import SessionDep
from app.deps import (
    CLEAR_SITE_DATA,
    CatalogDep,
    CurrentUser,
    SettingsDep,
    clear_session_cookie,
    client_address,
    set_session_cookie,
)
from app.errors import Conflict, Invalid, NotAuthenticated, TooManyRequests
from app.routes.pages.checkin_view import resume_checkin
from app.routes.pages.common import EXPIRED, FormDep, csrf_ok, field, render, safe_next, see_other
from app.security import SESSION_COOKIE
from app.services import accounts

router = APIRouter(include_in_schema=False)
CODES_COOKIE = "__Host-new-codes"
CODES_SECONDS = 30 * 60


def _wait(request: Request, name: str, context: dict[str, Any], exc: TooManyRequests) -> Response:
    """The form again, saying how long to wait before trying again (429)."""
    message = f"{exc.detail} You can try again in {wait_words(exc.retry_after)}."
    return render(request, name, {**context, "message": message}, 429, headers=exc.headers)


def wait_words(seconds: int) -> str:
    minutes = -(-seconds // 60)
    if minutes <= 1:
        return "about a minute"
    return f"about {minutes} minutes"


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request) -> Response:
    return render(request, "auth/signup.html", {"username": "", "errors": {}})


@router.post("/signup", response_class=HTMLResponse)
def signup(request: Request, form: FormDep, db: SessionDep, settings: SettingsDep) -> Response:
    username = field(form, "username").strip()
    context: dict[str, object] = {"username": username, "errors": {}}
    if not csrf_ok(request, form):
        return render(request, "auth/signup.html", {**context, "message": EXPIRED}, 403)
    try:
        new, codes = accounts.signup(
            db,
            settings,
            username=username,
            password=field(form, "password"),
            address=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except Invalid as exc:
        db.rollback()
        return render(request, "auth/signup.html", {**context, "errors": exc.fields}, 422)
    except Conflict as exc:
        db.rollback()
        return render(
            request, "auth/signup.html", {**context, "errors": {"username": exc.detail}}, 409
        )
    except TooManyRequests as exc:
        db.rollback()
        return _wait(request, "auth/signup.html", context, exc)
    # Post/Redirect/Get: the codes wait, encrypted, in a short-lived cookie of this browser
    # until the client says they saved them, so a reload shows them again.
    response = see_other("/welcome")
    set_session_cookie(response, new.token, settings)
    sealed = {"codes": codes, "until": int(time.time()) + CODES_SECONDS}
    response.set_cookie(
        CODES_COOKIE,
        request.app.state.db.keyring.encrypt(json.dumps(sealed)),
        max_age=CODES_SECONDS,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


def _codes(request: Request) -> list[str]:
    """The new account's recovery codes from its sealed cookie; [] once gone or expired."""
    sealed = request.cookies.get(CODES_COOKIE)
    if not sealed:
        return []
    try:
        data = json.loads(request.app.state.db.keyring.decrypt(sealed))
    except (NoteUnreadable, ValueError):
        return []
    if not isinstance(data, dict) or data.get("until", 0) < time.time():
        return []
    return [str(code) for code in data.get("codes", [])]


@router.get("/welcome", response_class=HTMLResponse)
def welcome(request: Request, user: CurrentUser) -> Response:
    return render(request, "auth/recovery_codes.html", {"user": user, "codes": _codes(request)})


@router.get("/welcome/recovery-codes.txt")
def welcome_codes_file(request: Request, user: CurrentUser) -> Response:
    codes = _codes(request)
    if not codes:
        return see_other("/welcome")
    text = (
        f"Therapy Check-in recovery codes for {user.username}\n"
        "Each code works once, if you forget your passphrase.\n\n" + "\n".join(codes) + "\n"
    )
    return PlainTextResponse(
        text, headers={"Content-Disposition": 'attachment; filename="recovery-codes.txt"'}
    )


@router.post("/welcome")
def welcome_done(request: Request, form: FormDep, user: CurrentUser) -> Response:
    if not csrf_ok(request, form):
        context = {"user": user, "codes": _codes(request), "message": EXPIRED}
        return render(request, "auth/recovery_codes.html", context, 403)
    response = see_other("/settings?open=profile#profile")
    response.delete_cookie(CODES_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    return render(
        request, "auth/login.html", {"username": "", "errors": {}, "next": safe_next(next)}
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, form: FormDep, db: SessionDep, settings: SettingsDep, catalog: CatalogDep
) -> Response:
    username = field(form, "username").strip()
    target = safe_next(field(form, "next"))
    carry = field(form, "carry")
    context: dict[str, object] = {
        "username": username,
        "errors": {},
        "next": target,
        "carry": carry,
    }
    if not csrf_ok(request, form):
        return render(request, "auth/login.html", {**context, "message": EXPIRED}, 403)
    try:
        new = accounts.login(
            db,
            settings,
            username=username,
            password=field(form, "password"),
            old_token=request.cookies.get(SESSION_COOKIE),
            user_agent=request.headers.get("user-agent", ""),
            address=client_address(request),
        )
    except NotAuthenticated as exc:
        db.rollback()
        return render(
            request, "auth/login.html", {**context, "errors": {"password": exc.detail}}, 401
        )
    except TooManyRequests as exc:
        db.rollback()
        return _wait(request, "auth/login.html", context, exc)
    # Signed out mid check-in (carry): give the answers back on the form, ready to send.
    response = resume_checkin(request, catalog, new.user, carry) if carry else see_other(target)
    set_session_cookie(response, new.token, settings)
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request) -> Response:
    return render(request, "auth/logout.html", {})


@router.post("/logout", response_class=HTMLResponse)
def logout(request: Request, form: FormDep, db: SessionDep) -> Response:
    if not csrf_ok(request, form):
        message = "Sorry, that didn't go through. Please press Sign out again."
        return render(request, "auth/logout.html", {"message": message}, 403)
    accounts.logout(db, request.cookies.get(SESSION_COOKIE))
    response = see_other("/")
    clear_session_cookie(response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
