"""Application factory: settings, start-up validation of the data files, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlmodel import Session

from app import crypto, logging_setup, middleware
from app.database import get_engine, make_engine, set_engine
from app.errors import DomainError, NotAuthenticated
from app.routes import (
    api_account,
    api_activity,
    api_auth,
    api_checkins,
    api_import,
    api_passkeys,
    api_push,
    api_sessions,
    pages,
    pwa,
)
from app.services import talking_points
from app.services.catalog import load_catalog
from app.services.sessions import ReauthRequired
from app.settings import Settings, get_settings
from app.templating import templates

STATIC = Path(__file__).parent / "static"
MIGRATION_HEAD = ScriptDirectory(
    str(Path(__file__).parent.parent / "migrations")
).get_current_head()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging_setup.configure(settings.LOG_LEVEL)
    # Refuses to start in production without NOTES_KEYS, like SECRET_KEY.
    crypto.set_keyring(crypto.keyring_from_settings(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        get_engine().dispose()

    # Loaded here, not lazily: a bad data file stops the app before it serves anyone.
    catalog = load_catalog(settings.QUESTIONNAIRE_DIR)
    set_engine(make_engine(settings.DATABASE_URL))

    app = FastAPI(
        title="Therapy Check-in",
        version="1.0",
        lifespan=lifespan,
        docs_url="/api/docs" if settings.ENVIRONMENT == "development" else None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.catalog = catalog
    app.state.talking_points = talking_points.load(settings.QUESTIONNAIRE_DIR, catalog)
    app.state.settings = settings
    app.middleware("http")(middleware.build(settings))
    app.add_middleware(logging_setup.RequestLogMiddleware)  # outermost: times everything
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        api_auth.router,
        api_checkins.router,
        api_account.router,
        api_activity.router,
        api_import.router,
        api_push.router,
        api_passkeys.router,
        api_sessions.router,
        pwa.router,
        pages.router,
    ):
        app.include_router(router)
    pages.install_page_errors(app)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if isinstance(exc, ReauthRequired):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/reauth?next={quote(target, safe='')}", 303)
        if isinstance(exc, NotAuthenticated):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", 303)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": exc.status_code, "message": exc.detail},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        try:
            with Session(get_engine()) as db:
                db.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        """Ready for traffic: the database answers and its schema is at the code's head."""
        try:
            with Session(get_engine()) as db:
                current = db.exec(text("SELECT version_num FROM alembic_version")).first()  # type: ignore[call-overload]
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        at = current[0] if current else None
        if at != MIGRATION_HEAD:
            return JSONResponse(
                {"status": "migrations pending", "database": at, "expected": MIGRATION_HEAD}, 503
            )
        return JSONResponse({"status": "ok", "database": at})

    return app
