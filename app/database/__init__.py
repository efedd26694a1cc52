"""Engine, per-request session, and transactions of their own.

engine        the engine (SQLite WAL + foreign keys + BEGIN IMMEDIATE + secure_delete, or
              PostgreSQL), and the WAL checkpoint that follows a deletion
gate          slots and the SQLite writers' line for requests (503 when busy), health
transactions  the request's session (commit once on success, roll back on error), `keep`
              for writes that survive its rollback, `after_commit` / `erase_after_commit`
              for work once it has committed, `own_transaction` outside a request
backup        a consistent copy of a live SQLite file
"""

from __future__ import annotations

from app.database.engine import checkpoint, is_busy, is_sqlite, make_engine
from app.database.gate import BUSY, HEALTH_FRESH, Database
from app.database.transactions import (
    SAFE_METHODS,
    WRITES,
    RequestSession,
    SessionDep,
    after_commit,
    erase_after_commit,
    get_session,
    keep,
    own_transaction,
    writes,
)

__all__ = [
    "BUSY",
    "HEALTH_FRESH",
    "SAFE_METHODS",
    "WRITES",
    "Database",
    "RequestSession",
    "SessionDep",
    "after_commit",
    "checkpoint",
    "erase_after_commit",
    "get_session",
    "is_busy",
    "is_sqlite",
    "keep",
    "make_engine",
    "own_transaction",
    "writes",
]
