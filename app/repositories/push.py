"""Web Push subscriptions and the weekly reminder each has been sent."""

from __future__ import annotations

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from app.models import PushSubscription, User


def push_subscription_by_endpoint(db: Session, endpoint: str) -> PushSubscription | None:
    return db.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()


def insert_push_subscription(db: Session, row: PushSubscription) -> None:
    """Insert in a savepoint: an endpoint stored meanwhile (the unique constraint) raises
    IntegrityError and undoes only this insert, not the rest of the request."""
    with db.begin_nested():
        db.add(row)


def delete_push_subscription(db: Session, row: PushSubscription) -> None:
    db.exec(delete(PushSubscription).where(col(PushSubscription.id) == row.id))


def push_subscriptions_with_users(db: Session) -> list[tuple[PushSubscription, User]]:
    rows = db.exec(
        select(PushSubscription, User)
        .join(User, col(User.id) == col(PushSubscription.user_id))
        .where(col(User.reminder_weekday).is_not(None))
        .order_by(col(PushSubscription.id))
    ).all()
    return [(sub, user) for sub, user in rows]


def claim_push_week(db: Session, subscription_id: int | None, week: str) -> bool:
    """Mark this week's reminder as taken; False when another run got there first."""
    result = db.exec(
        update(PushSubscription)
        .where(
            col(PushSubscription.id) == subscription_id,
            or_(
                col(PushSubscription.last_sent_week).is_(None),
                col(PushSubscription.last_sent_week) != week,
            ),
        )
        .values(last_sent_week=week)
    )
    return bool(result.rowcount == 1)
