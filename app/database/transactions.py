"""Transactions: the request's (commit once on success, roll back on error), writes kept
through its rollback, work done once it has committed, and transactions of their own
outside any request."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

from anyio.to_thread import run_sync
from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.database.engine import checkpoint, is_busy

if TYPE_CHECKING:
    from app.database.gate import Database

log = logging.getLogger("app.database")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Session.info key: callables to run once the session's transaction has committed.
_AFTER_COMMIT = "after_commit"


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
        self.info.pop(_AFTER_COMMIT, None)  # what it was to follow didn't happen
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


def after_commit(db: Session, work: Callable[[], None]) -> None:
    """Run `work` once the request's transaction (or `own_transaction`'s) has committed,
    outside it, before the response is sent; not if it rolls back.

    A failure there is logged and goes no further: what committed stays committed and
    the request still succeeds. Other sessions never run it.
    """
    db.info.setdefault(_AFTER_COMMIT, []).append(work)


def erase_after_commit(db: Session) -> None:
    """Once this transaction's deletions have committed, have them leave the disk too.

    SQLite zeroes deleted rows (secure_delete); this checkpoints the WAL into the file
    and truncates it, so neither keeps the old text. A busy checkpoint is logged, never
    the caller's failure. PostgreSQL: see SECURITY.md ("Deleting an account").
    """
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine

    def erase() -> None:
        if not checkpoint(engine):
            log.warning(
                "WAL checkpoint after a deletion stayed busy: the deleted rows' old pages "
                "remain in the -wal file until the next complete checkpoint"
            )

    after_commit(db, erase)


def _run_after_commit(db: Session) -> None:
    for work in db.info.pop(_AFTER_COMMIT, []):
        try:
            work()
        except Exception:
            log.warning("work after a commit failed", exc_info=True)


@contextmanager
def own_transaction(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A session of its own on `engine` (the app's: `app.state.db.engine`, or the command
    line's), outside any request's transaction: committed when the block ends (then its
    `after_commit` work runs), rolled back if it raises.

    `write` says how it starts on SQLite: BEGIN IMMEDIATE, waiting the writers' busy
    timeout like a write request (a deferred read-then-write gives up early), or BEGIN.
    """
    bind = engine.execution_options(sqlite_write=write)
    with Session(bind) as db:
        try:
            yield db
        except BaseException:
            db.rollback()
            db.info.pop(_AFTER_COMMIT, None)
            raise
        db.commit()
    _run_after_commit(db)


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
            if session.info.get(_AFTER_COMMIT):
                # Still in the request's turn (on SQLite, still first in the writers' line).
                await run_sync(_run_after_commit, session)
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
