"""Every database query of the app lives here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, tuple_
from sqlmodel import Session, col, select

from app.models import AuthSession, CheckIn, RateEvent, RecoveryCode, User

# --- users -----------------------------------------------------------------


def user_by_username(db: Session, username: str) -> User | None:
    return db.exec(select(User).where(User.username == username)).first()


def user_by_id(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def add(db: Session, row: object) -> None:
    db.add(row)
    db.flush()


def delete_user(db: Session, user: User) -> None:
    # Explicit deletes as well as ON DELETE CASCADE, so nothing survives even where
    # a backend has foreign keys switched off.
    for model in (CheckIn, AuthSession, RecoveryCode):
        db.exec(delete(model).where(col(model.user_id) == user.id))
    db.delete(user)
    db.flush()


# --- recovery codes --------------------------------------------------------


def unused_recovery_codes(db: Session, user_id: int) -> Sequence[RecoveryCode]:
    return db.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
        )
    ).all()


# --- sessions --------------------------------------------------------------


def session_by_token_hash(db: Session, token_hash: str) -> AuthSession | None:
    return db.exec(select(AuthSession).where(AuthSession.token_hash == token_hash)).first()


def delete_session(db: Session, token_hash: str) -> None:
    db.exec(delete(AuthSession).where(col(AuthSession.token_hash) == token_hash))


def delete_expired_sessions(
    db: Session, user_id: int, idle_before: datetime, created_before: datetime
) -> None:
    db.exec(
        delete(AuthSession).where(
            col(AuthSession.user_id) == user_id,
            or_(
                col(AuthSession.last_seen_at) < idle_before,
                col(AuthSession.created_at) < created_before,
            ),
        )
    )


# --- check-ins -------------------------------------------------------------


def checkin_by_client_id(db: Session, user_id: int, client_id: str) -> CheckIn | None:
    return db.exec(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.client_id == client_id)
    ).first()


def checkin_by_id(db: Session, user_id: int, checkin_id: str) -> CheckIn | None:
    return db.exec(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.id == checkin_id)
    ).first()


def checkins_before(db: Session, user_id: int, taken_at: datetime) -> Sequence[CheckIn]:
    """The history an evaluation reads: everything strictly earlier, oldest first."""
    return db.exec(
        select(CheckIn)
        .where(CheckIn.user_id == user_id, col(CheckIn.taken_at) < taken_at)
        .order_by(col(CheckIn.taken_at), col(CheckIn.id))
    ).all()


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


# --- rate limiting ---------------------------------------------------------


def rate_events_since(db: Session, key: str, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = db.exec(
        select(func.count(), func.min(RateEvent.at)).where(
            RateEvent.key == key, col(RateEvent.at) >= since
        )
    ).one()
    return int(count), oldest


def prune_rate_events(db: Session, before: datetime) -> None:
    db.exec(delete(RateEvent).where(col(RateEvent.at) < before))


def clear_rate_events(db: Session, key: str) -> None:
    db.exec(delete(RateEvent).where(col(RateEvent.key) == key))


def previous_checkin(db: Session, user_id: int, taken_at: datetime) -> CheckIn | None:
    return db.exec(
        select(CheckIn)
        .where(CheckIn.user_id == user_id, col(CheckIn.taken_at) < taken_at)
        .order_by(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc())
        .limit(1)
    ).first()
