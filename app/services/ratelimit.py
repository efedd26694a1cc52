"""Sliding-window limits shared by every app instance: in the database, or in Redis
when REDIS_URL is set.

Database events are written on the request's own session with `keep`: a failed login
must count even though the request that saw it ends in an error and rolls back.
"""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import redis
from sqlmodel import Session

from app import repositories as repo
from app.database import keep
from app.errors import TooManyRequests
from app.models import RateEvent, utcnow
from app.security import keyed_hash
from app.settings import Settings

REDIS_PREFIX = "checkin:rate:"


def _key(settings: Settings, kind: str, subject: str) -> str:
    # Keyed hash: the store never holds a raw address or username.
    return keyed_hash(settings.SECRET_KEY, f"{kind}:{subject}")


def key(settings: Settings, kind: str, subject: str) -> str:
    """The stored key of one subject's events, to clear them inside a larger change."""
    return _key(settings, kind, subject)


@lru_cache(maxsize=4)
def _redis(url: str) -> Any:
    return redis.Redis.from_url(url, socket_timeout=2)


def _window(
    db: Session, settings: Settings, k: str, since: datetime
) -> tuple[int, datetime | None]:
    if settings.REDIS_URL:
        client = _redis(settings.REDIS_URL)
        pipe = client.pipeline()
        pipe.zremrangebyscore(REDIS_PREFIX + k, 0, since.timestamp())
        pipe.zcard(REDIS_PREFIX + k)
        pipe.zrange(REDIS_PREFIX + k, 0, 0, withscores=True)
        _, count, first = pipe.execute()
        oldest = datetime.fromtimestamp(first[0][1], UTC) if first else None
        return int(count), oldest
    return repo.rate_events_since(db, k, since)


def check(
    db: Session,
    settings: Settings,
    kind: str,
    subject: str,
    limit: int,
    window: timedelta,
    message: str,
) -> None:
    """Raise 429 with Retry-After when `limit` events already happened within `window`."""
    now = utcnow()
    count, oldest = _window(db, settings, _key(settings, kind, subject), now - window)
    if count >= limit and oldest is not None:
        retry = math.ceil((oldest + window - now).total_seconds())
        raise TooManyRequests(message, retry_after=retry)


def record(db: Session, settings: Settings, kind: str, subject: str, keep_for: timedelta) -> None:
    """Count one event; it stays counted even when the request then fails."""
    now = utcnow()
    k = _key(settings, kind, subject)
    if settings.REDIS_URL:
        client = _redis(settings.REDIS_URL)
        pipe = client.pipeline()
        pipe.zadd(REDIS_PREFIX + k, {f"{now.timestamp()}:{secrets.token_hex(4)}": now.timestamp()})
        pipe.expire(REDIS_PREFIX + k, int(keep_for.total_seconds()) + 60)
        pipe.execute()
        return
    repo.prune_rate_events(db, now - max(keep_for, timedelta(days=1)))
    keep(db, lambda s: s.add(RateEvent(key=k, at=now)))


def clear(db: Session, settings: Settings, kind: str, subject: str) -> None:
    k = _key(settings, kind, subject)
    if settings.REDIS_URL:
        _redis(settings.REDIS_URL).delete(REDIS_PREFIX + k)
        return
    repo.clear_rate_events(db, k)
