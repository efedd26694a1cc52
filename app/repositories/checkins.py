"""Check-ins: by id, pages of history, what an evaluation reads of earlier weeks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from app.models import CheckIn, User


def checkin_by_client_id(db: Session, user_id: int, client_id: str) -> CheckIn | None:
    return db.exec(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.client_id == client_id)
    ).first()


def checkin_by_id(db: Session, user_id: int, checkin_id: str) -> CheckIn | None:
    return db.exec(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.id == checkin_id)
    ).first()


def insert_checkin(db: Session, row: CheckIn) -> None:
    """Insert in a savepoint: a duplicate client_id raises IntegrityError and undoes only
    this insert, not the rest of the request."""
    with db.begin_nested():
        db.add(row)


def history_before(
    db: Session, user_id: int, taken_at: datetime
) -> list[tuple[datetime, dict[str, int], dict[str, Any] | None, str | None]]:
    """What an evaluation reads of everything earlier, oldest first: (taken_at, answers,
    stored scores, the versions that scored them).

    Only those columns: the stored results and notes are not needed here.
    """
    rows = db.exec(
        select(CheckIn.taken_at, CheckIn.answers, CheckIn.scores, CheckIn.scored_with)
        .where(CheckIn.user_id == user_id, col(CheckIn.taken_at) < taken_at)
        .order_by(col(CheckIn.taken_at), col(CheckIn.id))
    ).all()
    return [
        (moment, dict(answers), dict(scores) if scores is not None else None, version)
        for moment, answers, scores, version in rows
    ]


def checkins_after(db: Session, user_id: int, taken_at: datetime) -> Sequence[CheckIn]:
    """Every check-in taken after `taken_at`, oldest first (to re-evaluate them)."""
    return db.exec(
        select(CheckIn)
        .where(CheckIn.user_id == user_id, col(CheckIn.taken_at) > taken_at)
        .order_by(col(CheckIn.taken_at), col(CheckIn.id))
    ).all()


def users_with_checkins(db: Session) -> Sequence[User]:
    """Every account that has stored a check-in (to rescore them all)."""
    owners = select(CheckIn.user_id).distinct()
    return db.exec(select(User).where(col(User.id).in_(owners)).order_by(col(User.id))).all()


def delete_checkin(db: Session, row: CheckIn) -> None:
    db.delete(row)
    db.flush()


def checkins_page(
    db: Session, user_id: int, limit: int, before: tuple[datetime, str] | None
) -> Sequence[CheckIn]:
    """Newest first, keyset-paginated on (taken_at, id)."""
    query = select(CheckIn).where(CheckIn.user_id == user_id)
    if before is not None:
        query = query.where(tuple_(col(CheckIn.taken_at), col(CheckIn.id)) < tuple_(*before))
    query = query.order_by(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc()).limit(limit)
    return db.exec(query).all()


def checkins_since(db: Session, user_id: int, since: datetime | None) -> Sequence[CheckIn]:
    query = select(CheckIn).where(CheckIn.user_id == user_id)
    if since is not None:
        query = query.where(col(CheckIn.taken_at) >= since)
    return db.exec(query.order_by(col(CheckIn.taken_at), col(CheckIn.id))).all()


def latest_checkins(db: Session, user_id: int, n: int) -> Sequence[CheckIn]:
    return checkins_page(db, user_id, n, None)


def previous_checkin(db: Session, user_id: int, taken_at: datetime) -> CheckIn | None:
    return db.exec(
        select(CheckIn)
        .where(CheckIn.user_id == user_id, col(CheckIn.taken_at) < taken_at)
        .order_by(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc())
        .limit(1)
    ).first()
