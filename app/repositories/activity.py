"""The account's activity log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.models import ActivityEvent


def add_activity(db: Session, user_id: int, kind: str, detail: str) -> None:
    """Written with the request's other changes (at its next flush or commit)."""
    db.add(ActivityEvent(user_id=user_id, kind=kind, detail=detail))


def activity_of(db: Session, user_id: int, limit: int | None) -> Sequence[ActivityEvent]:
    """The account's events, newest first (all of them when `limit` is None)."""
    query = (
        select(ActivityEvent)
        .where(ActivityEvent.user_id == user_id)
        .order_by(col(ActivityEvent.at).desc(), col(ActivityEvent.id).desc())
    )
    return db.exec(query if limit is None else query.limit(limit)).all()
