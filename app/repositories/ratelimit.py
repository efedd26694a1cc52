"""Rate-limit events: rows in the database, or a sorted set per key in Redis when
REDIS_URL is set. Keys arrive hashed (app.services.ratelimit)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import redis
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.models import RateEvent

REDIS_PREFIX = "checkin:rate:"

# --- in the database ---------------------------------------------------------


def rate_events_since(db: Session, key: str, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = db.exec(
        select(func.count(), func.min(RateEvent.at)).where(
            RateEvent.key == key, col(RateEvent.at) >= since
        )
    ).one()
    return int(count), oldest


def add_rate_event(db: Session, key: str, at: datetime) -> None:
    db.add(RateEvent(key=key, at=at))


def prune_rate_events(db: Session, before: datetime) -> None:
    db.exec(delete(RateEvent).where(col(RateEvent.at) < before))


def clear_rate_events(db: Session, key: str) -> None:
    db.exec(delete(RateEvent).where(col(RateEvent.key) == key))


# --- in Redis ------------------------------------------------------------------


@lru_cache(maxsize=4)
def _redis(url: str) -> Any:
    return redis.Redis.from_url(url, socket_timeout=2)


def redis_events_since(url: str, key: str, since: datetime) -> tuple[int, datetime | None]:
    """Drop the events before `since`; how many are left, and the oldest of them."""
    pipe = _redis(url).pipeline()
    pipe.zremrangebyscore(REDIS_PREFIX + key, 0, since.timestamp())
    pipe.zcard(REDIS_PREFIX + key)
    pipe.zrange(REDIS_PREFIX + key, 0, 0, withscores=True)
    _, count, first = pipe.execute()
    oldest = datetime.fromtimestamp(first[0][1], UTC) if first else None
    return int(count), oldest


def redis_add_event(url: str, key: str, at: datetime, keep_for: timedelta) -> None:
    pipe = _redis(url).pipeline()
    pipe.zadd(REDIS_PREFIX + key, {f"{at.timestamp()}:{secrets.token_hex(4)}": at.timestamp()})
    pipe.expire(REDIS_PREFIX + key, int(keep_for.total_seconds()) + 60)
    pipe.execute()


def redis_clear_events(url: str, key: str) -> None:
    _redis(url).delete(REDIS_PREFIX + key)
