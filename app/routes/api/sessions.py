"""JSON: re-authentication, active sessions, passphrase change and reset."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from app.database import SessionDep
from app.deps import CurrentUser, SettingsDep, set_session_cookie
from app.schemas import (
    ERRORS,
    ChangePassphraseIn,
    Message,
    PassphraseIn,
    RecoverIn,
    RowId,
    SessionOut,
    UserOut,
)
from app.security import SESSION_COOKIE
from app.services import sessions

router = APIRouter(prefix="/api", tags=["sessions"], responses=ERRORS)


def _token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


@router.post("/auth/reauth", response_model=Message)
def reauth(
    body: PassphraseIn,
    request: Request,
    response: Response,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
) -> Message:
    """Confirm the passphrase: drastic actions are allowed for the next 15 minutes.

    The session gets a new cookie; the old one no longer works."""
    fresh = sessions.reauthenticate(db, settings, user, _token(request), body.password)
    set_session_cookie(response, fresh, settings)
    return Message(detail="Thanks, confirmed.")


@router.post("/auth/passphrase", response_model=Message)
def change_passphrase(
    body: ChangePassphraseIn,
    request: Request,
    response: Response,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
) -> Message:
    """Every other session ends; this one gets a new cookie (the old one no longer works)."""
    fresh = sessions.change_passphrase(
        db, settings, user, _token(request), body.current_password, body.new_password
    )
    set_session_cookie(response, fresh, settings)
    return Message(detail="Passphrase changed. Every other session has been signed out.")


@router.post("/auth/recover", response_model=UserOut)
def recover(
    body: RecoverIn, request: Request, response: Response, db: SessionDep, settings: SettingsDep
) -> UserOut:
    """Set a new passphrase with a one-time recovery code; all other sessions end."""
    new = sessions.reset_with_recovery_code(
        db,
        settings,
        username=body.username,
        code=body.recovery_code,
        new_password=body.new_password,
        user_agent=request.headers.get("user-agent", ""),
    )
    set_session_cookie(response, new.token, settings)
    return UserOut(username=new.user.username)


@router.get("/sessions", response_model=list[SessionOut])
def list_sessions(request: Request, user: CurrentUser, db: SessionDep) -> list[SessionOut]:
    return [
        SessionOut.model_validate(row, from_attributes=True)
        for row in sessions.listing(db, user, _token(request))
    ]


@router.delete("/sessions/{session_id:digits}", status_code=status.HTTP_204_NO_CONTENT)
def end_session(session_id: RowId, user: CurrentUser, db: SessionDep) -> Response:
    sessions.end(db, user, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/sessions/end-others", response_model=Message)
def end_others(request: Request, user: CurrentUser, db: SessionDep) -> Message:
    ended = sessions.end_others(db, user, _token(request))
    return Message(detail=f"Signed out {ended} other session(s).")
