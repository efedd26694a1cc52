"""Sessions beyond sign-in: the user behind a token, re-authentication, listing and ending
them, passphrase changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app import repositories as repo
from app.errors import DomainError, Invalid, NotAuthenticated, NotFound
from app.models import AuthSession, User, utcnow
from app.security import hash_password, new_token, normalise_recovery_code, sha256
from app.services import accounts, activity, ratelimit
from app.settings import Settings

# Drastic actions ask for the passphrase again when the last one given is older than this.
REAUTH_AFTER = timedelta(minutes=15)
# Refresh last_seen at most this often, so reading pages doesn't write on every request.
TOUCH_EVERY = timedelta(minutes=5)


class ReauthRequired(DomainError):
    status_code = 403

    def __init__(self) -> None:
        super().__init__(
            "Please confirm your passphrase first (POST /api/auth/reauth): "
            "this needs a sign-in from the last 15 minutes."
        )


def user_for_token(
    db: Session,
    settings: Settings,
    token: str | None,
    *,
    refresh: Callable[[str, datetime], None] | None = None,
) -> User | None:
    """The signed-in user, or None when the token is unknown or past a timeout.

    A last-seen time older than TOUCH_EVERY is refreshed: on this session, or by
    `refresh(token_hash, now)` when the caller does it later (a read-only request).
    """
    if not token:
        return None
    token_hash = sha256(token)
    found = repo.user_by_token_hash(db, token_hash)  # one query: the session and its account
    if found is None:
        return None
    user, created_at, last_seen_at = found
    now = utcnow()
    idle = now - last_seen_at > timedelta(days=settings.SESSION_IDLE_DAYS)
    if idle or now - created_at > timedelta(days=settings.SESSION_ABSOLUTE_DAYS):
        return None  # the row itself is pruned at the account's next sign-in
    if now - last_seen_at > TOUCH_EVERY:
        if refresh is None:
            repo.touch_session(db, token_hash, now)
        else:
            refresh(token_hash, now)
    return user


def touch_session(db: Session, token_hash: str, at: datetime) -> None:
    repo.touch_session(db, token_hash, at)


def current(db: Session, token: str | None) -> AuthSession | None:
    return repo.session_by_token_hash(db, sha256(token)) if token else None


def authenticated_at(row: AuthSession) -> datetime:
    return row.reauthenticated_at or row.created_at


def require_recent(db: Session, token: str | None, now: datetime | None = None) -> None:
    row = current(db, token)
    if row is None or (now or utcnow()) - authenticated_at(row) > REAUTH_AFTER:
        raise ReauthRequired()


def renew(db: Session, token: str | None) -> str:
    """A new token for this session, which has just proved its passphrase: the old token
    stops working (one seen before, by anyone, is worth nothing now). The session stays
    the same row (same device, same sign-in time and absolute timeout)."""
    row = current(db, token)
    if row is None:  # ended elsewhere a moment ago
        raise NotAuthenticated("Please sign in again.")
    fresh = new_token()
    row.token_hash = sha256(fresh)
    row.reauthenticated_at = utcnow()
    repo.add(db, row, flush=False)
    return fresh


def reauthenticate(
    db: Session, settings: Settings, user: User, token: str | None, password: str
) -> str:
    """Confirm the passphrase; returns the session's new token (set it as the cookie)."""
    accounts.confirm_password(db, settings, user, password)
    fresh = renew(db, token)
    activity.record(db, user.id, "reauthenticated")
    return fresh


@dataclass(frozen=True)
class ActiveSession:
    """One of the account's sessions, as settings and GET /api/sessions show it."""

    id: int
    device: str
    signed_in_at: datetime
    last_seen_at: datetime
    current: bool  # the session asking


def listing(db: Session, user: User, token: str | None) -> list[ActiveSession]:
    assert user.id is not None
    mine = sha256(token) if token else ""
    return [_active(row, mine) for row in repo.sessions_of(db, user.id)]


def _active(row: AuthSession, mine: str) -> ActiveSession:
    assert row.id is not None
    return ActiveSession(
        id=row.id,
        device=activity.device_of(row.user_agent),
        signed_in_at=row.created_at,
        last_seen_at=row.last_seen_at,
        current=row.token_hash == mine,
    )


def end(db: Session, user: User, session_id: int) -> None:
    assert user.id is not None
    if not repo.delete_session_of(db, user.id, session_id):
        raise NotFound("No such session.")
    activity.record(db, user.id, "session_ended")


def end_others(db: Session, user: User, token: str | None) -> int:
    assert user.id is not None
    ended = repo.delete_sessions_except(db, user.id, sha256(token) if token else "")
    if ended:
        activity.record(db, user.id, "session_ended", f"{ended} other session(s)")
    return ended


def change_passphrase(
    db: Session,
    settings: Settings,
    user: User,
    token: str | None,
    current_password: str,
    new_password: str,
) -> str:
    """Every other session ends; this one gets a new token (returned: set it as the cookie)."""
    accounts.confirm_password(db, settings, user, current_password)
    problem = accounts.password_problem(new_password, user.username)
    if problem:
        raise Invalid(problem, fields={"new_password": problem})
    user.password_hash = hash_password(new_password)
    repo.add(db, user, flush=False)
    end_others(db, user, token)
    fresh = renew(db, token)
    activity.record(db, user.id, "passphrase_changed")
    return fresh


def reset_with_recovery_code(
    db: Session,
    settings: Settings,
    *,
    username: str,
    code: str,
    new_password: str,
    user_agent: str = "",
) -> accounts.NewSession:
    """Use one recovery code to set a new passphrase; every existing session ends."""
    name = accounts.normalise_username(username)
    ratelimit.check_sign_in(
        db,
        settings,
        account=name,
        account_message="Too many failed attempts for this account. Please wait and try again.",
    )
    user = repo.user_by_username(db, name)
    wanted = sha256(normalise_recovery_code(code))
    match = None
    if user is not None and user.id is not None:
        match = next(
            (c for c in repo.unused_recovery_codes(db, user.id) if c.code_hash == wanted), None
        )
    if user is None or match is None:
        ratelimit.count_failed_sign_in(db, settings, account=name)
        raise Invalid(
            "That username and recovery code don't match an unused code.",
            fields={"code": "That code doesn't match, or it was used already."},
        )
    problem = accounts.password_problem(new_password, user.username)
    if problem:
        raise Invalid(problem, fields={"new_password": problem})
    assert user.id is not None
    if not repo.use_recovery_code(db, match.id):  # two requests with one code: one wins
        raise Invalid(
            "That recovery code was used already.",
            fields={"code": "That code doesn't match, or it was used already."},
        )
    user.password_hash = hash_password(new_password)
    repo.add(db, user, flush=False)
    repo.delete_sessions_except(db, user.id, "")
    activity.record(db, user.id, "passphrase_reset")
    return accounts.start_session(db, user, user_agent)
