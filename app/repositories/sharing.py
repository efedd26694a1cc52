"""What the client shares with their therapist: the talking-points choice and share links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.models import ShareLink, TalkingSelection


def talking_selection(db: Session, user_id: int) -> TalkingSelection | None:
    return db.exec(select(TalkingSelection).where(TalkingSelection.user_id == user_id)).first()


def share_links_of(db: Session, user_id: int) -> Sequence[ShareLink]:
    return db.exec(
        select(ShareLink)
        .where(ShareLink.user_id == user_id)
        .order_by(col(ShareLink.created_at).desc(), col(ShareLink.id).desc())
    ).all()


def share_link_of(db: Session, user_id: int, link_id: int) -> ShareLink | None:
    return db.exec(
        select(ShareLink).where(ShareLink.user_id == user_id, ShareLink.id == link_id)
    ).first()


def share_link_by_token_hash(db: Session, token_hash: str) -> ShareLink | None:
    return db.exec(select(ShareLink).where(ShareLink.token_hash == token_hash)).first()


def live_share_link_count(db: Session, user_id: int, now: datetime) -> int:
    return int(
        db.exec(
            select(func.count()).where(
                col(ShareLink.user_id) == user_id,
                col(ShareLink.revoked_at).is_(None),
                col(ShareLink.expires_at) > now,
            )
        ).one()
    )


def count_share_open(db: Session, link_id: int | None, at: datetime) -> None:
    # In SQL, so two therapists' browsers opening at once both count.
    db.exec(
        update(ShareLink)
        .where(col(ShareLink.id) == link_id)
        .values(open_count=ShareLink.open_count + 1, last_opened_at=at)
    )
