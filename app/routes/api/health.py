"""The probes: alive (/healthz) and ready for traffic (/readyz)."""

from __future__ import annotations

from pathlib import Path

import anyio
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app import repositories as repo
from app.database import Database, own_transaction

router = APIRouter(include_in_schema=False)

HEALTH_SECONDS = 0.9
MIGRATION_HEAD = ScriptDirectory(
    str(Path(__file__).resolve().parents[3] / "migrations")
).get_current_head()


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """Alive, and the database answers: within a second, however busy the app is."""
    db: Database = request.app.state.db
    if await db.healthy(within=HEALTH_SECONDS):
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers and its schema is at the code's head."""
    db: Database = request.app.state.db

    def version() -> str | None:
        with own_transaction(db.engine, write=False) as s:
            return repo.migration_version(s)

    try:
        async with db.slot(write=False):
            at = await anyio.to_thread.run_sync(version)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    if at != MIGRATION_HEAD:
        return JSONResponse(
            {"status": "migrations pending", "database": at, "expected": MIGRATION_HEAD}, 503
        )
    return JSONResponse({"status": "ok", "database": at})
