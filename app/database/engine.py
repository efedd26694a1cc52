"""The engine: SQLite with WAL, foreign keys and our own BEGIN (IMMEDIATE), or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import create_engine

from app import crypto
from app.crypto import Keyring


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
    keyring: Keyring | None = None,
) -> Engine:
    """The app's engine. SQLite: WAL, foreign keys, and BEGIN (IMMEDIATE) emitted by us.

    `busy` is how long an SQLite writer waits for another process's write lock,
    `read_busy` the same for a reader (in WAL mode readers rarely wait at all). With
    `strict_reads` (development and tests) a request that did not say it writes can't:
    a GET route that writes without WRITES fails loudly instead of queueing unfairly.
    `keyring` encrypts and decrypts the notes read and written through this engine.
    """
    engine = _make(url, pool_size, max_overflow, wait, busy, read_busy, strict_reads)
    if keyring is not None:
        crypto.bind(engine, keyring)
    return engine


def _make(
    url: str,
    pool_size: int,
    max_overflow: int,
    wait: float,
    busy: float,
    read_busy: float,
    strict_reads: bool,
) -> Engine:
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
        # Deleted rows are overwritten with zeros, not just unlinked: a deleted account's
        # text must not stay readable in the file's free pages (see `checkpoint`).
        cur.execute("PRAGMA secure_delete=ON")
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


def checkpoint(engine: Engine, *, attempts: int = 5, wait: float = 0.2) -> bool:
    """SQLite: copy the WAL into the database file and truncate it to nothing. True when done.

    With secure_delete the deleting transaction zeroes the freed space, but in WAL mode
    only in new page images: the old ones (and the frames that first wrote the rows) stay
    in the -wal file, and the file's own pages keep the text, until a checkpoint. A
    reader in the middle of a transaction makes it wait (`wait` seconds per attempt) and
    then give up: `attempts` tries, then False (SQLite's own checkpoints finish the copy
    later, but leave the -wal file its size). Outside any transaction, on a pooled
    connection of its own; PostgreSQL: nothing to do here (SECURITY.md, "Deletion").
    """
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()  # no SQLAlchemy "begin": a checkpoint runs outside one
    try:
        cur = raw.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
            for _ in range(attempts):
                busy, _log, _copied = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return True
            return False
        finally:
            cur.close()
    finally:
        raw.close()


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
