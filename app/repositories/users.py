"""Accounts, their deletion, and their one-time recovery codes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.models import (
    ActivityEvent,
    AuthSession,
    CheckIn,
    Passkey,
    PushSubscription,
    RecoveryCode,
    ShareLink,
    TalkingSelection,
    User,
    WebAuthnChallenge,
    utcnow,
)


def user_by_username(db: Session, username: str) -> User | None:
    return db.exec(select(User).where(User.username == username)).first()


def user_by_id(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def delete_user(db: Session, user: User) -> None:
    # Explicit deletes as well as ON DELETE CASCADE, so nothing survives even where
    # a backend has foreign keys switched off.
    for model in (
        TalkingSelection,
        ShareLink,
        CheckIn,
        AuthSession,
        RecoveryCode,
        PushSubscription,
        ActivityEvent,
        Passkey,
        WebAuthnChallenge,
    ):
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


def use_recovery_code(db: Session, code_id: int | None) -> bool:
    result = db.exec(
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == code_id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=utcnow())
    )
    return bool(result.rowcount == 1)
