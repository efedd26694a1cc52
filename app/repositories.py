"""Every database query of the app lives here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, tuple_, update
from sqlmodel import Session, col, select

from app.models import (
    ActivityEvent,
    AuthSession,
    CheckIn,
    Passkey,
    PushSubscription,
    RateEvent,
    RecoveryCode,
    SafetyPlan,
    ShareLink,
    TalkingSelection,
    User,
    WebAuthnChallenge,
    utcnow,
)

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


# --- sessions --------------------------------------------------------------


def session_by_token_hash(db: Session, token_hash: str) -> AuthSession | None:
    return db.exec(select(AuthSession).where(AuthSession.token_hash == token_hash)).first()


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


# --- check-ins -------------------------------------------------------------


def checkin_by_client_id(db: Session, user_id: int, client_id: str) -> CheckIn | None:
    return db.exec(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.client_id == client_id)
    ).first()


def checkin_by_id(db: Session, user_id: int, checkin_id: str) -> CheckIn | None:
    return db.exec(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.id == checkin_id)
    ).first()


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


# --- push subscriptions ----------------------------------------------------


def push_subscription_by_endpoint(db: Session, endpoint: str) -> PushSubscription | None:
    return db.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()


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


# --- talking points and share links ----------------------------------------


def recent_notes(db: Session, user_id: int, upto: datetime, n: int) -> Sequence[CheckIn]:
    """The last `n` check-ins up to `upto` that carry a note, newest first."""
    return db.exec(
        select(CheckIn)
        .where(
            CheckIn.user_id == user_id,
            col(CheckIn.taken_at) <= upto,
            col(CheckIn.note).is_not(None),
            col(CheckIn.note) != "",
        )
        .order_by(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc())
        .limit(n)
    ).all()


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


# --- activity log --------------------------------------------------------------


def activity_of(db: Session, user_id: int, limit: int | None) -> Sequence[ActivityEvent]:
    """The account's events, newest first (all of them when `limit` is None)."""
    query = (
        select(ActivityEvent)
        .where(ActivityEvent.user_id == user_id)
        .order_by(col(ActivityEvent.at).desc(), col(ActivityEvent.id).desc())
    )
    return db.exec(query if limit is None else query.limit(limit)).all()


def safety_plan_of(db: Session, user_id: int) -> SafetyPlan | None:
    return db.exec(select(SafetyPlan).where(SafetyPlan.user_id == user_id)).first()
