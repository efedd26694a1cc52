"""Passkeys and their one-time WebAuthn challenges."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.models import Passkey, WebAuthnChallenge


def passkeys_of(db: Session, user_id: int) -> Sequence[Passkey]:
    return db.exec(
        select(Passkey).where(Passkey.user_id == user_id).order_by(col(Passkey.created_at))
    ).all()


def passkey_of(db: Session, user_id: int, passkey_id: int) -> Passkey | None:
    return db.exec(
        select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user_id)
    ).first()


def passkey_by_credential_id(db: Session, credential_id: str) -> Passkey | None:
    return db.exec(select(Passkey).where(Passkey.credential_id == credential_id)).first()


def count_passkeys(db: Session, user_id: int) -> int:
    return int(
        db.exec(select(func.count()).select_from(Passkey).where(Passkey.user_id == user_id)).one()
    )


def delete_passkey(db: Session, row: Passkey) -> None:
    db.delete(row)
    db.flush()


def prune_challenges(db: Session, before: datetime) -> None:
    db.exec(delete(WebAuthnChallenge).where(col(WebAuthnChallenge.created_at) < before))


def take_challenge(
    db: Session, challenge: str, purpose: str, user_id: int | None, since: datetime
) -> bool:
    """Delete the challenge if it is live and meant for this; True for the one caller that did.

    A single DELETE, so two requests racing with the same answer can't both win.
    """
    owner = (
        col(WebAuthnChallenge.user_id).is_(None)
        if user_id is None
        else col(WebAuthnChallenge.user_id) == user_id
    )
    result = db.exec(
        delete(WebAuthnChallenge).where(
            col(WebAuthnChallenge.challenge) == challenge,
            col(WebAuthnChallenge.purpose) == purpose,
            col(WebAuthnChallenge.created_at) >= since,
            owner,
        )
    )
    return int(result.rowcount) == 1
