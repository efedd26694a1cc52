"""Throwaway databases: a migrated SQLite file, or a PostgreSQL database dropped afterwards."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.migrations import migrate

POSTGRES_ADMIN_URL = os.environ.get(
    "POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def create_postgres_database(prefix: str) -> str:
    """A new empty database on POSTGRES_ADMIN_URL's server; returns its URL."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = make_url(url).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def postgres_database(migrated: bool = True, prefix: str = "checkin_bench_") -> Iterator[str]:
    """A new PostgreSQL database on POSTGRES_ADMIN_URL's server, dropped afterwards."""
    url = create_postgres_database(prefix)
    try:
        if migrated:
            migrate(url)
        yield url
    finally:
        drop_postgres_database(url)


@contextmanager
def sqlite_database(folder: str | Path | None = None) -> Iterator[str]:
    """A new migrated SQLite file (in a temporary folder unless one is given)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(folder or tmp) / 'checkin.db'}"
        migrate(url)
        yield url


@contextmanager
def database(kind: str) -> Iterator[str]:
    """`sqlite` or `postgres`: a migrated throwaway database URL."""
    if kind == "postgres":
        with postgres_database() as url:
            yield url
    else:
        with sqlite_database() as url:
            yield url
