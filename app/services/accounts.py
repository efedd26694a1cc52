"""Sign-up, sign-in, profile and account deletion (sessions: app/services/sessions.py)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session
from zxcvbn import zxcvbn

from app import repositories as repo
from app.database import erase_after_commit
from app.errors import Conflict, Invalid, NotAuthenticated
from app.models import AuthSession, RecoveryCode, User, utcnow
from app.security import (
    hash_password,
    new_recovery_code,
    new_token,
    normalise_recovery_code,
    sha256,
    verify_password,
)
from app.services import activity, ratelimit
from app.settings import Settings

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,39}$")
PASSWORD_MIN = 12
PASSWORD_MAX = 256
# zxcvbn score 0-4; 3 = "safely unguessable" against online attacks.
MIN_STRENGTH = 3
RECOVERY_CODES = 8
GOALS_MAX = 500
DISPLAY_NAME_MAX = 60


@dataclass(frozen=True)
class NewSession:
    user: User
    token: str


def normalise_username(username: str) -> str:
    return username.strip().lower()


def username_problem(username: str) -> str | None:
    if not USERNAME_RE.fullmatch(normalise_username(username)):
        return (
            "Choose a username of 3 to 40 letters, digits, dots, dashes or underscores. "
            "Don't use your real name or e-mail."
        )
    return None


def password_problem(password: str, username: str = "") -> str | None:
    if len(password) < PASSWORD_MIN:
        return (
            f"Use at least {PASSWORD_MIN} characters. A few unrelated words "
            "make a passphrase that is long but easy to remember."
        )
    if len(password) > PASSWORD_MAX:
        return f"That passphrase is longer than {PASSWORD_MAX} characters."
    # zxcvbn ships its own word lists: common passwords, names, keyboard patterns.
    estimate = zxcvbn(password[:72], user_inputs=[username, "therapy", "checkin", "check-in"])
    if estimate["score"] < MIN_STRENGTH:
        return (
            "That passphrase would be easy to guess (it is common, or close to your "
            "username or a simple pattern). Try three or four unrelated words."
        )
    return None


def start_session(db: Session, user: User, user_agent: str) -> NewSession:
    token = new_token()
    assert user.id is not None
    repo.add(
        db, AuthSession(user_id=user.id, token_hash=sha256(token), user_agent=user_agent[:200])
    )
    return NewSession(user=user, token=token)


def signup(
    db: Session,
    settings: Settings,
    *,
    username: str,
    password: str,
    address: str,
    user_agent: str = "",
) -> tuple[NewSession, list[str]]:
    fields = {
        k: v
        for k, v in (
            ("username", username_problem(username)),
            ("password", password_problem(password, username)),
        )
        if v
    }
    if fields:
        raise Invalid(" ".join(fields.values()), fields=fields)
    window = timedelta(hours=1)
    ratelimit.check(
        db,
        settings,
        "signup",
        address,
        settings.SIGNUPS_PER_HOUR_PER_ADDRESS,
        window,
        "Too many new accounts from this network. Please try again later.",
    )
    name = normalise_username(username)
    if repo.user_by_username(db, name) is not None:
        raise Conflict("That username is taken. Please choose another.")
    ratelimit.record(db, settings, "signup", address, window)
    user = User(username=name, password_hash=hash_password(password))
    repo.add(db, user)
    assert user.id is not None
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        repo.add(db, RecoveryCode(user_id=user.id, code_hash=sha256(normalise_recovery_code(code))))
    return start_session(db, user, user_agent), codes


def login(
    db: Session,
    settings: Settings,
    *,
    username: str,
    password: str,
    old_token: str | None = None,
    user_agent: str = "",
    address: str = "",
) -> NewSession:
    name = normalise_username(username)
    ratelimit.check_sign_in(db, settings, address=address, account=name)
    user = repo.user_by_username(db, name)
    if not verify_password(password[:PASSWORD_MAX], user.password_hash if user else None):
        ratelimit.count_failed_sign_in(db, settings, address=address, account=name)
        activity.record_kept(
            db, user.id if user else None, "sign_in_failed", activity.device_of(user_agent)
        )
        raise NotAuthenticated("That username and passphrase don't match.")
    assert user is not None
    return complete_sign_in(
        db, settings, user, old_token=old_token, user_agent=user_agent, kind="sign_in"
    )


def complete_sign_in(
    db: Session,
    settings: Settings,
    user: User,
    *,
    old_token: str | None,
    user_agent: str,
    kind: str,
) -> NewSession:
    """After a passphrase or passkey proved who this is: a fresh session, nothing stale."""
    assert user.id is not None
    ratelimit.clear_failed_sign_ins(db, settings, user.username)
    if old_token:  # rotate: the token a visitor arrived with never survives a sign-in
        repo.delete_session(db, sha256(old_token))
    now = utcnow()
    repo.delete_expired_sessions(
        db,
        user.id,
        now - timedelta(days=settings.SESSION_IDLE_DAYS),
        now - timedelta(days=settings.SESSION_ABSOLUTE_DAYS),
    )
    activity.record(db, user.id, kind, activity.device_of(user_agent))
    return start_session(db, user, user_agent)


def logout(db: Session, token: str | None) -> None:
    if token:
        row = repo.session_by_token_hash(db, sha256(token))
        if row is not None:
            activity.record(db, row.user_id, "sign_out")
        repo.delete_session(db, sha256(token))


def clean_display_name(value: object) -> str:
    """One line, trimmed, without control characters; "" means no name."""
    text = " ".join(str(value or "").split())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


# ISO 3166-1 keeps these two-letter codes for private use: no country has them (XK, used
# for Kosovo, stays allowed).
_PRIVATE_USE = re.compile(r"AA|Q[M-Z]|X[A-JL-Z]|ZZ")


def country_ok(code: str, known: Collection[str]) -> bool:
    """A country the crisis lines know, "OTHER", or any other country's ISO code (which
    gets the international lines)."""
    return code in known or (
        re.fullmatch(r"[A-Z]{2}", code) is not None and not _PRIVATE_USE.fullmatch(code)
    )


def update_profile(
    db: Session, user: User, *, known_countries: set[str], changes: dict[str, object]
) -> User:
    if "therapy_started_on" in changes:
        started = changes["therapy_started_on"]
        if isinstance(started, date) and started > date.today():
            raise Invalid(
                "The date therapy started can't be in the future.",
                fields={"therapy_started_on": "This date is in the future."},
            )
        user.therapy_started_on = started if isinstance(started, date) else None
    if "on_medication" in changes:
        user.on_medication = bool(changes["on_medication"])
    if "country" in changes:
        country = str(changes["country"]).upper()
        if not country_ok(country, known_countries):
            raise Invalid(
                "Unknown country code.", fields={"country": "Choose a country from the list."}
            )
        user.country = country
    if "goals" in changes:
        goals = " ".join(str(changes["goals"] or "").split())
        if len(goals) > GOALS_MAX:
            raise Invalid(
                f"Please keep your goals under {GOALS_MAX} characters.",
                fields={"goals": f"Please keep this under {GOALS_MAX} characters."},
            )
        user.goals = goals or None
    # Only when asked: callers that never mention the name leave it as it is.
    if "display_name" in changes:
        name = clean_display_name(changes["display_name"])
        if len(name) > DISPLAY_NAME_MAX:
            raise Invalid(
                f"Please keep the name to {DISPLAY_NAME_MAX} characters or fewer.",
                fields={
                    "display_name": f"Please keep this to {DISPLAY_NAME_MAX} characters or "
                    f"fewer (it has {len(name)})."
                },
            )
        user.display_name = name or None
    repo.add(db, user)
    return user


def delete_account(db: Session, user: User, settings: Settings) -> None:
    repo.delete_user(db, user)
    # Failed sign-ins counted under the username point at the account: they go with it.
    ratelimit.clear_failed_sign_ins(db, settings, user.username)
    # Not only no row: no old copy in SQLite's WAL or free pages either, once committed.
    erase_after_commit(db)


def confirm_password(db: Session, settings: Settings, user: User, password: str) -> None:
    """Ask for the passphrase again before something drastic; counts as a failed sign-in."""
    ratelimit.check_sign_in(
        db,
        settings,
        account=user.username,
        account_message="Too many wrong passphrases. Please wait and try again.",
    )
    if not verify_password(password[:PASSWORD_MAX], user.password_hash):
        ratelimit.count_failed_sign_in(db, settings, account=user.username)
        raise Invalid(
            "That passphrase doesn't match. Nothing was deleted.",
            fields={"password": "That passphrase doesn't match. Nothing was deleted."},
        )
