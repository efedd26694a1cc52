"""Database tables (SQLModel). Every row an account owns cascades from `account`."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from app.crypto import EncryptedText

# Named constraints, so migrations can alter them on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def _fk_user() -> Any:
    return Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False, index=True)


def _ts(**kw: Any) -> Any:
    return Column(UTCDateTime(), nullable=False, **kw)


class User(SQLModel, table=True):
    __tablename__ = "account"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(40), unique=True, nullable=False))
    password_hash: str
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    therapy_started_on: date | None = None
    on_medication: bool = False
    country: str = Field(default="OTHER", max_length=8)
    # Weekly reminder: ISO weekday (1 = Monday), local "HH:MM", IANA time zone.
    reminder_weekday: int | None = None
    reminder_time: str | None = Field(default=None, max_length=5)
    timezone: str = Field(default="UTC", max_length=64)
    # What the client wants from therapy, in their own words (on the talking-points sheet).
    goals: str | None = Field(default=None, max_length=500)
    # The name the client chose for sheets they share (never required, never the username).
    display_name: str | None = Field(default=None, max_length=60)


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_code"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk_user())
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk_user())
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    user_agent: str = Field(default="", max_length=200)
    # When the passphrase (or a passkey) was last given in this session; None = at sign-in.
    reauthenticated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class CheckIn(SQLModel, table=True):
    __tablename__ = "checkin"
    __table_args__ = (
        UniqueConstraint("user_id", "client_id", name="uq_checkin_user_client"),
        Index("ix_checkin_user_taken", "user_id", "taken_at", "id"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False)
    )
    client_id: str = Field(max_length=36)
    taken_at: datetime = Field(sa_column=_ts())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    questionnaire_id: str = Field(max_length=40)
    questionnaire_version: str = Field(max_length=20)
    answers: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    # AES-GCM at rest; reads back as text (app/crypto.py).
    note: str | None = Field(default=None, sa_column=Column(EncryptedText(), nullable=True))
    therapy_week: int | None = None
    urgent: bool = False
    # The engine's evaluation at the time of the check-in (scores, signs, suggestions).
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # Its domain scores alone, and the rules and questionnaire versions that scored them
    # and whether the medication items were asked (`scored_with`): what later evaluations
    # read of this check-in instead of scoring it again, as long as all are today's.
    scores: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    scored_with: str | None = Field(default=None, max_length=60)


class PushSubscription(SQLModel, table=True):
    """A browser's Web Push endpoint for the weekly reminder."""

    __tablename__ = "push_subscription"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk_user())
    endpoint: str = Field(sa_column=Column(String(1000), unique=True, nullable=False))
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # ISO week ("2026-W47") of the last reminder claimed for sending: at most one a week.
    last_sent_week: str | None = Field(default=None, max_length=10)


class RateEvent(SQLModel, table=True):
    """One counted attempt (signup, failed login) under an HMAC'd key, never a raw address."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_key_at", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class SafetyPlan(SQLModel, table=True):
    """The client's own safety plan (Stanley-Brown), one per account, encrypted at rest
    like the notes: the JSON of the plan is stored as one encrypted text."""

    __tablename__ = "safety_plan"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    plan: str = Field(sa_column=Column(EncryptedText(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class TalkingSelection(SQLModel, table=True):
    """The latest choice of points for the talking-points sheet, for the check-in it was built from.

    Points are stored as the keys left out, so anything new on the sheet starts ticked.
    """

    __tablename__ = "talking_selection"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    checkin_id: str = Field(
        sa_column=Column(
            String(36), ForeignKey("checkin.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    excluded: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    own: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ShareLink(SQLModel, table=True):
    """A read-only link to a snapshot of the sheet; only the token's SHA-256 is kept."""

    __tablename__ = "share_link"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk_user())
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    open_count: int = 0
    last_opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The chosen points as they were when the link was made, so later edits never leak.
    sheet: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class ActivityEvent(SQLModel, table=True):
    """What happened to the account, for its owner to read. Never answers or note text."""

    __tablename__ = "activity_event"
    __table_args__ = (Index("ix_activity_event_user_at", "user_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=False)
    )
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    kind: str = Field(max_length=40)
    # A short, non-sensitive detail such as "Chrome on Android".
    detail: str = Field(default="", max_length=200)


class Passkey(SQLModel, table=True):
    """A WebAuthn credential that can sign in instead of the passphrase."""

    __tablename__ = "passkey"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk_user())
    credential_id: str = Field(sa_column=Column(String(400), unique=True, nullable=False))
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sign_count: int = 0
    transports: str = Field(default="", max_length=200)
    name: str = Field(default="Passkey", max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class WebAuthnChallenge(SQLModel, table=True):
    """A one-time WebAuthn challenge, kept server-side so any app instance can check it."""

    __tablename__ = "webauthn_challenge"
    id: int | None = Field(default=None, primary_key=True)
    challenge: str = Field(sa_column=Column(String(200), unique=True, nullable=False))
    # Set for registration and re-authentication; None for a sign-in by passkey.
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("account.id", ondelete="CASCADE"), nullable=True),
    )
    purpose: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
