"""The database's own bookkeeping: which migration it is at."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def migration_version(db: Session) -> str | None:
    """Alembic's revision of this database, None when none is recorded."""
    row = db.exec(text("SELECT version_num FROM alembic_version")).first()  # type: ignore[call-overload]
    return row[0] if row else None
