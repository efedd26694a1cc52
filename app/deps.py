"""Request-level dependencies shared by the JSON API and the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request, Response

from app.database import Database, SessionDep, writes
from app.engine.talking import TalkingPoints
from app.errors import NotAuthenticated
from app.models import User
from app.security import SESSION_COOKIE, csrf_token_for, keyed_hash
from app.services import sessions
from app.services.catalog import Catalog
from app.services.passkey_ceremony import RelyingParty
from app.settings import Settings


# The cheap dependencies are `async`: a sync one would cost a trip to a worker thread.
async def app_settings(request: Request) -> Settings:
    """The settings the app was made with (create_app puts them on app.state)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


async def get_catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


def optional_user(
    request: Request, db: SessionDep, settings: SettingsDep, later: BackgroundTasks
) -> User | None:
    database: Database = request.app.state.db

    def after_response(token_hash: str, now: datetime) -> None:
        later.add_task(database.run_quietly, lambda s: sessions.touch_session(s, token_hash, now))

    # A read-only request stays a reader: its session's last-seen time is refreshed after
    # the response, in a short write of its own.
    user = sessions.user_for_token(
        db,
        settings,
        request.cookies.get(SESSION_COOKIE),
        refresh=None if writes(request) else after_response,
    )
    if user is not None:
        # Lets the service worker keep one account's pages apart from another's.
        request.state.account_tag = keyed_hash(settings.SECRET_KEY, f"account:{user.id}")[:16]
    return user


async def require_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated("Please sign in first.")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(require_user)]


# Sent on sign-out and account deletion: the browser drops this site's caches and storage.
CLEAR_SITE_DATA = '"cache", "storage"'


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.SESSION_ABSOLUTE_DAYS * 86400,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")


def csrf_token(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return csrf_token_for(settings.SECRET_KEY, request.state.csrf_cookie)


def require_recent_user(request: Request, user: CurrentUser, db: SessionDep) -> User:
    """The signed-in user, who gave their passphrase (or a passkey) in the last 15 minutes."""
    sessions.require_recent(db, request.cookies.get(SESSION_COOKIE))
    return user


RecentUser = Annotated[User, Depends(require_recent_user)]


async def get_phrasebook(request: Request) -> TalkingPoints:
    book: TalkingPoints = request.app.state.talking_points
    return book


PhrasebookDep = Annotated[TalkingPoints, Depends(get_phrasebook)]


def relying_party(request: Request, settings: SettingsDep) -> RelyingParty:
    """The configured RP id and origins, or else the host and origin this request came to."""
    own = f"{request.url.scheme}://{request.url.netloc}"
    return RelyingParty(
        id=settings.WEBAUTHN_RP_ID or request.url.hostname or "localhost",
        name=settings.WEBAUTHN_RP_NAME,
        origins=tuple(settings.WEBAUTHN_ORIGINS) or (own,),
    )


RelyingPartyDep = Annotated[RelyingParty, Depends(relying_party)]
