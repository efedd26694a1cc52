"""JSON: add, list and remove passkeys; sign in with one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from app.database import SessionDep
from app.deps import (
    CurrentUser,
    RecentUser,
    RelyingPartyDep,
    SettingsDep,
    client_address,
    set_session_cookie,
)
from app.schemas import ERRORS, PasskeyOut, RegistrationIn, RowId, SignInIn, UserOut
from app.security import SESSION_COOKIE
from app.services import passkeys

router = APIRouter(tags=["passkeys"], responses=ERRORS)


def _credential(body: RegistrationIn | SignInIn) -> dict[str, Any]:
    return body.credential.model_dump(by_alias=True)


@router.get("/api/passkeys", response_model=list[PasskeyOut])
def list_passkeys(user: CurrentUser, db: SessionDep) -> list[PasskeyOut]:
    return [
        PasskeyOut.model_validate(key, from_attributes=True) for key in passkeys.listing(db, user)
    ]


@router.post("/api/passkeys/register/options", response_model=dict[str, Any])
def registration_options(
    user: RecentUser, db: SessionDep, rp: RelyingPartyDep, settings: SettingsDep
) -> dict[str, Any]:
    """Options for navigator.credentials.create(); the challenge lasts five minutes."""
    return passkeys.registration_options(db, rp, settings, user)


@router.post(
    "/api/passkeys/register", status_code=status.HTTP_201_CREATED, response_model=PasskeyOut
)
def register(
    body: RegistrationIn, request: Request, user: RecentUser, db: SessionDep, rp: RelyingPartyDep
) -> PasskeyOut:
    row = passkeys.register(
        db,
        rp,
        user,
        _credential(body),
        body.name,
        user_agent=request.headers.get("user-agent", ""),
    )
    return PasskeyOut.model_validate(passkeys.PasskeyEntry.of(row), from_attributes=True)


@router.delete("/api/passkeys/{passkey_id:digits}", status_code=status.HTTP_204_NO_CONTENT)
def remove(passkey_id: RowId, user: RecentUser, db: SessionDep) -> Response:
    passkeys.remove(db, user, passkey_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/api/auth/passkey/options", response_model=dict[str, Any], tags=["auth"])
def sign_in_options(db: SessionDep, rp: RelyingPartyDep) -> dict[str, Any]:
    """Options for navigator.credentials.get(): any passkey of this site, no username."""
    return passkeys.authentication_options(db, rp)


@router.post("/api/auth/passkey", response_model=UserOut, tags=["auth"])
def sign_in(
    body: SignInIn,
    request: Request,
    response: Response,
    db: SessionDep,
    rp: RelyingPartyDep,
    settings: SettingsDep,
) -> UserOut:
    """Sign in with a passkey: a session cookie, exactly as with the passphrase."""
    new = passkeys.sign_in(
        db,
        rp,
        settings,
        _credential(body),
        old_token=request.cookies.get(SESSION_COOKIE),
        user_agent=request.headers.get("user-agent", ""),
        address=client_address(request),
    )
    set_session_cookie(response, new.token, settings)
    return UserOut(username=new.user.username)
