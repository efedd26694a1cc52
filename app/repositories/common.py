"""Writes that are the same for every table: add a row, write what is pending."""

from __future__ import annotations

from sqlmodel import Session


def add(db: Session, row: object, *, flush: bool = True) -> None:
    """Add (or re-add a changed) row; with `flush=False` it is written at the next flush."""
    db.add(row)
    if flush:
        db.flush()


def flush(db: Session) -> None:
    """Write every pending change now, so the queries that follow see it."""
    db.flush()
