"""Transactions: the request's (commit once on success, roll back on error), writes kept
through its rollback, and transactions of their own outside any request."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

from anyio.to_thread import run_sync
from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.database.engine import is_busy

if TYPE_CHECKING:
    from app.database.gate import Database

log = logging.getLogger("app.database")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RequestSession(Session):
    """A session whose `keep` writes survive a rollback: a failed sign-in still counts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept: list[Callable[[Session], None]] = []

    def keep(self, write: Callable[[Session], None]) -> None:
        """Apply `write` now, and again after any rollback, so it is committed either way."""
        write(self)
        self.kept.append(write)

    def rollback(self) -> None:
        super().rollback()
        for write in self.kept:
            write(self)


def keep(db: Session, write: Callable[[Session], None]) -> None:
    """`write` on the request's session, kept even if the request fails (see RequestSession).

    On the request's own session, not one of its own: an SQLite write request already
    holds the write lock, which a second connection would wait for until it gave up.
    Outside a request (the command line, a plain Session) it is simply applied.
    """
    if isinstance(db, RequestSession):
        db.keep(write)
    else:
        write(db)


@contextmanager
def own_transaction(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A session of its own on `engine` (the app's: `app.state.db.engine`, or the command
    line's), outside any request's transaction: committed when the block ends, rolled back
    if it raises.

    `write` says how it starts on SQLite: BEGIN IMMEDIATE, waiting the writers' busy
    timeout like a write request (a deferred read-then-write gives up early), or BEGIN.
    """
    bind = engine.execution_options(sqlite_write=write)
    with Session(bind) as db:
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        db.commit()


def writes(request: Request) -> bool:
    """Whether this request may write: by its method, or a route marked with WRITES."""
    return request.method not in SAFE_METHODS or getattr(request.state, "db_write", False)


def _mark_write(request: Request) -> None:
    request.state.db_write = True


# For a GET route that writes (an activity entry, a counter): `dependencies=[WRITES]`.
# Route dependencies are solved before the endpoint's own, so the session sees the mark.
WRITES = Depends(_mark_write)


async def get_session(request: Request) -> AsyncIterator[Session]:
    db: Database = request.app.state.db
    write = writes(request)
    async with db.slot(write):
        session = db.session(write)
        request.state.db = session
        try:
            yield session
        except BaseException as exc:
            await run_sync(_roll_back, session, is_busy(exc))
            raise
        else:
            await run_sync(_commit, session)
        finally:
            request.state.db = None


def _commit(session: RequestSession) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _roll_back(session: RequestSession, busy: bool) -> None:
    """Undo the request's work; keep (commit) what `keep` asked for, unless the database
    is what failed."""
    try:
        if busy or not session.kept:
            Session.rollback(session)
            return
        session.rollback()
        try:
            session.commit()
        except Exception:
            log.warning("could not keep a failed request's counters", exc_info=True)
            Session.rollback(session)
    finally:
        session.close()


# "function" scope: commit before the response is sent, so a 2xx means it is stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
