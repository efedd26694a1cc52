"""Sliding-window limits kept in the database, so they hold across app instances.

Events are written in their own short transaction: a failed login must count even
though the request that saw it ends in an error and rolls back.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlmodel import Session

from app import repositories as repo
from app.database import get_engine
from app.errors import TooManyRequests
from app.models import RateEvent, utcnow
from app.security import keyed_hash
from app.settings import Settings


def _key(settings: Settings, kind: str, subject: str) -> str:
    # Keyed hash: the table never holds a raw address or username.
    return keyed_hash(settings.SECRET_KEY, f"{kind}:{subject}")


def key(settings: Settings, kind: str, subject: str) -> str:
    """The stored key of one subject's events, to clear them inside a larger change."""
    return _key(settings, kind, subject)


def check(
    settings: Settings, kind: str, subject: str, limit: int, window: timedelta, message: str
) -> None:
    """Raise 429 with Retry-After when `limit` events already happened within `window`."""
    now = utcnow()
    with Session(get_engine()) as db:
        count, oldest = repo.rate_events_since(db, _key(settings, kind, subject), now - window)
    if count >= limit and oldest is not None:
        retry = math.ceil((oldest + window - now).total_seconds())
        raise TooManyRequests(message, retry_after=retry)


def record(settings: Settings, kind: str, subject: str, keep_for: timedelta) -> None:
    now = utcnow()
    with Session(get_engine()) as db:
        db.add(RateEvent(key=_key(settings, kind, subject), at=now))
        repo.prune_rate_events(db, now - max(keep_for, timedelta(days=1)))
        db.commit()


def clear(settings: Settings, kind: str, subject: str) -> None:
    with Session(get_engine()) as db:
        repo.clear_rate_events(db, _key(settings, kind, subject))
        db.commit()
