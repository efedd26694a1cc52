"""Sign-in sessions (the rows behind the session cookie)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, or_, update
from sqlmodel import Session, col, select

from app.models import AuthSession, User

# Built once: on every signed-in request, keying a freshly built statement costs more
# than running it.
_SIGNED_IN = (
    select(User, AuthSession.created_at, AuthSession.last_seen_at)
    .join(AuthSession, col(AuthSession.user_id) == col(User.id))
    .where(col(AuthSession.token_hash) == bindparam("token_hash"))
)


def session_by_token_hash(db: Session, token_hash: str) -> AuthSession | None:
    return db.exec(select(AuthSession).where(AuthSession.token_hash == token_hash)).first()


def user_by_token_hash(db: Session, token_hash: str) -> tuple[User, datetime, datetime] | None:
    """The account behind a session token, with the session's sign-in and last-seen
    times: one query joining auth_session and account."""
    found = db.exec(_SIGNED_IN, params={"token_hash": token_hash}).first()
    return None if found is None else (found[0], found[1], found[2])


def touch_session(db: Session, token_hash: str, at: datetime) -> None:
    db.exec(
        update(AuthSession).where(col(AuthSession.token_hash) == token_hash).values(last_seen_at=at)
    )


def delete_session(db: Session, token_hash: str) -> None:
    db.exec(delete(AuthSession).where(col(AuthSession.token_hash) == token_hash))


def sessions_of(db: Session, user_id: int) -> Sequence[AuthSession]:
    return db.exec(
        select(AuthSession)
        .where(AuthSession.user_id == user_id)
        .order_by(col(AuthSession.last_seen_at).desc())
    ).all()


def delete_session_of(db: Session, user_id: int, session_id: int) -> bool:
    result = db.exec(
        delete(AuthSession).where(
            col(AuthSession.user_id) == user_id, col(AuthSession.id) == session_id
        )
    )
    return bool(result.rowcount)


def delete_sessions_except(db: Session, user_id: int, keep_token_hash: str) -> int:
    result = db.exec(
        delete(AuthSession).where(
            col(AuthSession.user_id) == user_id, col(AuthSession.token_hash) != keep_token_hash
        )
    )
    return int(result.rowcount)


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
