"""Engine and per-request session: commit once on success, roll back on error.

A request holds at most one pooled connection, and only after it has a slot: the
slots (one per connection the pool can hand out) are taken on the event loop, before
any thread is used, so a request waiting for the database never holds a thread that a
request holding a connection needs to finish. On SQLite, write requests also queue in
a fair line (an in-process lock, first come first served) and their transactions start
with BEGIN IMMEDIATE; reads stay deferred. Waiting longer than DB_WAIT_SECONDS for a
slot or for the line is a 503 with Retry-After, never a 500.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import anyio
from anyio.to_thread import run_sync
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

from app.errors import ServiceUnavailable
from app.settings import Settings

log = logging.getLogger("app.database")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEALTH_FRESH = 0.5  # seconds a health answer is reused by the probes that arrive meanwhile
BUSY = "The service is busy right now. Nothing was changed. Please try again in a moment."


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 0,
    wait: float = 10.0,
    busy: float = 5.0,
    read_busy: float = 1.0,
    strict_reads: bool = False,
) -> Engine:
    """The app's engine. SQLite: WAL, foreign keys, and BEGIN (IMMEDIATE) emitted by us.

    `busy` is how long an SQLite writer waits for another process's write lock,
    `read_busy` the same for a reader (in WAL mode readers rarely wait at all). With
    `strict_reads` (development and tests) a request that did not say it writes can't:
    a GET route that writes without WRITES fails loudly instead of queueing unfairly.
    """
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": wait}
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **pool)
    memory = not parsed.database or parsed.database == ":memory:"
    if not memory:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy},
        **({} if memory else pool),
    )
    write_ms = int(busy * 1000)
    read_ms = int(read_busy * 1000)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        # The driver's own transaction handling is off: the "begin" hook below says how
        # each transaction starts (and SAVEPOINTs then work as documented).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={write_ms}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the write lock up front and queue for it; a deferred transaction
        # that reads and then writes could otherwise lose to every other writer.
        write = conn.get_execution_options().get("sqlite_write")
        if strict_reads:
            conn.exec_driver_sql(f"PRAGMA query_only={1 if write is False else 0}")
        if write:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={write_ms}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={read_ms}")
            conn.exec_driver_sql("BEGIN")

    return engine


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

    Outside a request (the command line, a plain Session) it is simply applied.
    """
    if isinstance(db, RequestSession):
        db.keep(write)
    else:
        write(db)


class Database:
    """The engine, the request slots and (SQLite) the writers' line, for one app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(
            settings.DATABASE_URL,
            pool_size=settings.DB_POOL_SIZE,
            max_overflow=settings.DB_MAX_OVERFLOW,
            wait=settings.DB_WAIT_SECONDS,
            busy=settings.DB_BUSY_SECONDS,
            read_busy=settings.DB_READ_BUSY_SECONDS,
            strict_reads=settings.ENVIRONMENT == "development",
        )
        self.sqlite = is_sqlite(settings.DATABASE_URL)
        self._binds = {w: self.engine.execution_options(sqlite_write=w) for w in (False, True)}
        self.capacity = settings.DB_POOL_SIZE + settings.DB_MAX_OVERFLOW
        self.wait = settings.DB_WAIT_SECONDS
        # Created on first use, inside the running event loop that will wait on them.
        self._slots: anyio.CapacityLimiter | None = None
        self._writers: anyio.Lock | None = None
        self._health: Engine | None = None
        self._health_line: anyio.Lock | None = None
        self._health_thread: anyio.CapacityLimiter | None = None
        self._health_seen: tuple[float, bool] = (-math.inf, False)

    @property
    def slots(self) -> anyio.CapacityLimiter:
        if self._slots is None:
            self._slots = anyio.CapacityLimiter(self.capacity)
        return self._slots

    @property
    def writers(self) -> anyio.Lock:
        if self._writers is None:
            self._writers = anyio.Lock()
        return self._writers

    def session(self, write: bool) -> RequestSession:
        return RequestSession(self._binds[write], expire_on_commit=False)

    @asynccontextmanager
    async def slot(self, write: bool) -> AsyncIterator[None]:
        """A turn at the database, waited for on the event loop; 503 past DB_WAIT_SECONDS."""
        line = self.writers if write and self.sqlite else None
        turn = object()  # one borrower per turn: a task may hold two (a background write)
        try:
            with anyio.fail_after(self.wait):
                if line is not None:
                    await line.acquire()
                try:
                    await self.slots.acquire_on_behalf_of(turn)
                except BaseException:
                    if line is not None:
                        line.release()
                    raise
        except TimeoutError:
            retry = str(max(1, math.ceil(self.wait)))
            raise ServiceUnavailable(BUSY, retry_after=retry) from None
        try:
            yield
        finally:
            self.slots.release_on_behalf_of(turn)
            if line is not None:
                line.release()

    async def run(self, work: Callable[[Session], None], *, write: bool = True) -> None:
        """`work` in a transaction of its own, with a slot, outside any request's."""
        async with self.slot(write):

            def _in_thread() -> None:
                with self.session(write) as db:
                    work(db)
                    db.commit()

            await run_sync(_in_thread)

    async def run_quietly(self, work: Callable[[Session], None]) -> None:
        """`run` for work that may be skipped when the database is busy (after a response)."""
        try:
            await self.run(work)
        except Exception as exc:
            if not (isinstance(exc, ServiceUnavailable) or is_busy(exc)):
                raise
            log.warning("database busy: deferred write skipped")

    async def healthy(self, within: float) -> bool:
        """Whether the database answers `SELECT 1`, known within `within` seconds.

        One check at a time, on a connection and a thread of its own (never queued behind
        requests); callers arriving during a check share its answer, which stays fresh
        for HEALTH_FRESH seconds, so a crowd of probes costs one query.
        """
        if self._health_line is None or self._health_thread is None:
            self._health_line = anyio.Lock()
            self._health_thread = anyio.CapacityLimiter(1)
        deadline = anyio.current_time() + within
        try:
            with anyio.fail_at(deadline):
                async with self._health_line:
                    at, ok = self._health_seen
                    if anyio.current_time() - at < HEALTH_FRESH:
                        return ok
                    ok = False
                    try:
                        await run_sync(
                            self._check, abandon_on_cancel=True, limiter=self._health_thread
                        )
                        ok = True
                    finally:
                        self._health_seen = (anyio.current_time(), ok)
        except TimeoutError:
            return False
        except Exception:
            log.warning("health check failed", exc_info=True)
            return False
        return ok

    def _check(self) -> None:
        # Once more on a fresh connection if the kept one went stale (a database restart).
        try:
            self._select_one()
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            self._select_one()

    def _select_one(self) -> None:
        with self._health_engine().connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def _health_engine(self) -> Engine:
        if self._health is None:
            url = self.settings.DATABASE_URL
            # One round trip per check: no ping, no BEGIN/ROLLBACK around the SELECT.
            one = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.5}
            if self.sqlite:
                args: dict[str, Any] = {"check_same_thread": False, "timeout": 0.5}
            else:
                args = {"connect_timeout": 1, "options": "-c statement_timeout=500"}
            self._health = create_engine(
                url, connect_args=args, isolation_level="AUTOCOMMIT", **one
            )
        return self._health

    def dispose(self) -> None:
        self.engine.dispose()
        if self._health is not None:
            self._health.dispose()


_engine: Engine | None = None


def set_engine(engine: Engine) -> None:
    global _engine
    _engine = engine


def get_engine() -> Engine:
    """The app's engine, for work outside a request (the command line, tests)."""
    if _engine is None:
        raise RuntimeError("database engine not configured")
    return _engine


def writes(request: Request) -> bool:
    """Whether this request may write: by its method, or a route marked with WRITES."""
    return request.method not in SAFE_METHODS or getattr(request.state, "db_write", False)


def _mark_write(request: Request) -> None:
    request.state.db_write = True


# For a GET route that writes (an activity entry, a counter): `dependencies=[WRITES]`.
# Route dependencies are solved before the endpoint's own, so the session sees the mark.
WRITES = Depends(_mark_write)


def is_busy(exc: BaseException) -> bool:
    """A database that stayed locked or out of connections: worth a retry, not a 500."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower() if exc.orig is not None else ""
        return any(
            word in text
            for word in ("database is locked", "database table is locked", "busy", "lock timeout")
        )
    return False


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
