"""Sliding-window limits shared by every app instance: in the database, or in Redis
when REDIS_URL is set.

Database events are written on the request's own session with `keep`: a failed login
must count even though the request that saw it ends in an error and rolls back.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlmodel import Session

from app import repositories as repo
from app.database import keep
from app.errors import TooManyRequests
from app.models import utcnow
from app.security import keyed_hash
from app.settings import Settings

# Failed sign-ins are counted per network ("login-fail-address") and per account
# ("login-fail", by username); passphrase, passkey, recovery code and re-authentication
# all count and check the same two.
FROM_ADDRESS = "Too many failed sign-ins from this network. Please wait and try again."
FOR_ACCOUNT = "Too many failed sign-ins for this account. Please wait and try again."


def _key(settings: Settings, kind: str, subject: str) -> str:
    # Keyed hash: the store never holds a raw address or username.
    return keyed_hash(settings.SECRET_KEY, f"{kind}:{subject}")


def key(settings: Settings, kind: str, subject: str) -> str:
    """The stored key of one subject's events, to clear them inside a larger change."""
    return _key(settings, kind, subject)


def _window(
    db: Session, settings: Settings, k: str, since: datetime
) -> tuple[int, datetime | None]:
    if settings.REDIS_URL:
        return repo.redis_events_since(settings.REDIS_URL, k, since)
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
        repo.redis_add_event(settings.REDIS_URL, k, now, keep_for)
        return
    repo.prune_rate_events(db, now - max(keep_for, timedelta(days=1)))
    keep(db, lambda s: repo.add_rate_event(s, k, now))


def clear(db: Session, settings: Settings, kind: str, subject: str) -> None:
    k = _key(settings, kind, subject)
    if settings.REDIS_URL:
        repo.redis_clear_events(settings.REDIS_URL, k)
        return
    repo.clear_rate_events(db, k)


# --- failed sign-ins -------------------------------------------------------------


def sign_in_window(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def check_sign_in(
    db: Session,
    settings: Settings,
    *,
    address: str | None = None,
    account: str | None = None,
    account_message: str = FOR_ACCOUNT,
) -> None:
    """429 when this network, then this account (a username), has failed too often lately.

    None leaves that limit out: an attempt without an address, or not yet tied to an
    account.
    """
    window = sign_in_window(settings)
    if address is not None:
        check(
            db,
            settings,
            "login-fail-address",
            address,
            settings.LOGIN_FAILURES_PER_ADDRESS,
            window,
            FROM_ADDRESS,
        )
    if account is not None:
        check(
            db,
            settings,
            "login-fail",
            account,
            settings.LOGIN_FAILURES_PER_ACCOUNT,
            window,
            account_message,
        )


def count_failed_sign_in(
    db: Session, settings: Settings, *, address: str | None = None, account: str | None = None
) -> None:
    """One more failure for this account and this network; kept when the request fails."""
    window = sign_in_window(settings)
    if account is not None:
        record(db, settings, "login-fail", account, window)
    if address is not None:
        record(db, settings, "login-fail-address", address, window)


def clear_failed_sign_ins(db: Session, settings: Settings, account: str) -> None:
    """Forget an account's failures: it signed in, or it is gone."""
    clear(db, settings, "login-fail", account)
