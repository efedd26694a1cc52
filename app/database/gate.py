"""The way in for requests: slots, the SQLite writers' line, and a health check of its own.

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
from typing import Any

import anyio
from anyio.to_thread import run_sync
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from app.crypto import keyring_from_settings
from app.database.engine import is_busy, is_sqlite, make_engine
from app.database.transactions import RequestSession, own_transaction
from app.errors import ServiceUnavailable
from app.settings import Settings

log = logging.getLogger("app.database")

HEALTH_FRESH = 0.5  # seconds a health answer is reused by the probes that arrive meanwhile
BUSY = "The service is busy right now. Nothing was changed. Please try again in a moment."


class Database:
    """The engine, the request slots and (SQLite) the writers' line, for one app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Refuses to start in production without NOTES_KEYS, like SECRET_KEY.
        self.keyring = keyring_from_settings(settings)
        self.engine = make_engine(
            settings.DATABASE_URL,
            pool_size=settings.DB_POOL_SIZE,
            max_overflow=settings.DB_MAX_OVERFLOW,
            wait=settings.DB_WAIT_SECONDS,
            busy=settings.DB_BUSY_SECONDS,
            read_busy=settings.DB_READ_BUSY_SECONDS,
            strict_reads=settings.ENVIRONMENT == "development",
            keyring=self.keyring,
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
                with own_transaction(self.engine, write=write) as db:
                    work(db)

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
