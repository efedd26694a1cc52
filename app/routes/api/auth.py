"""JSON: sign up, sign in, sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from app.database import SessionDep
from app.deps import (
    CLEAR_SITE_DATA,
    SettingsDep,
    clear_session_cookie,
    client_address,
    set_session_cookie,
)
from app.schemas import ERRORS, Credentials, Message, SignupOut, UserOut
from app.security import SESSION_COOKIE
from app.services import accounts

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERRORS)


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=SignupOut)
def signup(
    body: Credentials, request: Request, response: Response, db: SessionDep, settings: SettingsDep
) -> SignupOut:
    new, codes = accounts.signup(
        db,
        settings,
        username=body.username,
        password=body.password,
        address=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    set_session_cookie(response, new.token, settings)
    return SignupOut(username=new.user.username, recovery_codes=codes)


@router.post("/login", response_model=UserOut)
def login(
    body: Credentials, request: Request, response: Response, db: SessionDep, settings: SettingsDep
) -> UserOut:
    new = accounts.login(
        db,
        settings,
        username=body.username,
        password=body.password,
        old_token=request.cookies.get(SESSION_COOKIE),
        user_agent=request.headers.get("user-agent", ""),
        address=client_address(request),
    )
    set_session_cookie(response, new.token, settings)
    return UserOut(username=new.user.username)


@router.post("/logout", response_model=Message)
def logout(request: Request, response: Response, db: SessionDep) -> Message:
    accounts.logout(db, request.cookies.get(SESSION_COOKIE))
    clear_session_cookie(response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return Message(detail="Signed out.")
