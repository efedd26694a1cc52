"""Application factory: settings, start-up validation of the data files, routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import logging_setup, middleware
from app.assets import STATIC, HashedStaticFiles
from app.compression import Compress
from app.database import BUSY, Database, is_busy
from app.errors import DomainError, NotAuthenticated, ServiceUnavailable
from app.request_errors import MAX_ERRORS, known_names, public_errors
from app.routes import api, pages
from app.services import talking_points
from app.services.catalog import load_catalog
from app.services.sessions import ReauthRequired
from app.settings import Settings, get_settings
from app.templating import templates

log = logging.getLogger("app")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging_setup.configure(settings.LOG_LEVEL)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Sync routes and dependencies run on these threads; no more of them than
        # connections, so none is started only to wait for one.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        log.info(
            "database pool %d (+%d overflow), %d worker threads, %s",
            settings.DB_POOL_SIZE,
            settings.DB_MAX_OVERFLOW,
            settings.threads,
            "SQLite, writers in line" if db.sqlite else db.engine.dialect.name,
        )
        yield
        db.dispose()

    # Loaded here, not lazily: a bad data file stops the app before it serves anyone.
    catalog = load_catalog(settings.QUESTIONNAIRE_DIR)
    db = Database(settings)

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
    app.state.db = db
    # gzip inside the edge, so the edge secures what actually goes out (app/compression.py).
    app.add_middleware(Compress)
    # Limits, strict JSON, the security headers and the last word on errors (app/middleware.py).
    app.add_middleware(middleware.Edge, settings=settings)
    app.add_middleware(logging_setup.RequestLogMiddleware)  # outermost: times everything
    # /static/<name>.<hash>.<ext>, cached for a year (app/assets.py).
    app.mount("/static", HashedStaticFiles(directory=STATIC), name="static")
    for router in (
        api.router,
        pages.router,
    ):
        app.include_router(router)
    for kind in (DomainError, StarletteHTTPException, OperationalError, PoolTimeout):
        app.add_exception_handler(kind, answer_error)
    app.add_exception_handler(RequestValidationError, answer_invalid)
    return app


async def answer_invalid(request: Request, exc: Exception) -> Response:
    """A 422 that says where and what was wrong, never with the value that was sent."""
    assert isinstance(exc, RequestValidationError)
    detail = public_errors(exc.errors()[:MAX_ERRORS], known_names(request.app))
    return Response(middleware.json_body({"detail": detail}), 422, media_type="application/json")


async def answer_error(request: Request, exc: Exception) -> Response:
    """The one error handler: JSON `{"detail"}` under /api/, a page (or a redirect to sign
    in) elsewhere; a database too busy to answer in time is a 503, whichever it is."""
    if isinstance(exc, OperationalError | PoolTimeout):
        if not is_busy(exc):
            raise exc
        exc = ServiceUnavailable(BUSY)
    api = request.url.path.startswith("/api/")
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 405:
        # Starlette names the methods of the one route it tried; a path has several.
        allow = ", ".join(sorted(_methods_of(request.app.router, request.url.path)))
        exc = StarletteHTTPException(405, exc.detail, headers={"Allow": allow})
    if isinstance(exc, StarletteHTTPException):
        if api:
            return await http_exception_handler(request, exc)
        status, headers = exc.status_code, getattr(exc, "headers", None)
        message = exc.detail if exc.status_code != 404 else None
    else:
        assert isinstance(exc, DomainError)
        if api:
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if isinstance(exc, ReauthRequired | NotAuthenticated):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            page = "/reauth" if isinstance(exc, ReauthRequired) else "/login"
            return RedirectResponse(f"{page}?next={quote(target, safe='')}", 303)
        status, headers, message = exc.status_code, exc.headers, exc.detail
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message},
        status_code=status,
        headers=headers,
    )


def _methods_of(router: Any, path: str) -> set[str]:
    """Every method some route takes at `path` (HEAD with GET, as Starlette adds it)."""
    found: set[str] = set()
    for route in router.routes:
        inner = getattr(route, "router", None) or getattr(route, "original_router", None)
        regex = getattr(route, "path_regex", None)
        if inner is not None and getattr(route, "methods", None) is None:
            found |= _methods_of(inner, path)
        elif regex is not None and regex.match(path) and getattr(route, "methods", None):
            found |= set(route.methods)
    return found
