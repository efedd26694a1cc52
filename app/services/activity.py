"""The account's activity log: what happened, when, from which kind of device.

Entries never hold answers, note text, passphrases or tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app import repositories as repo
from app.database import keep
from app.engine.scoring import as_utc
from app.models import User

KINDS = {
    "sign_in": "Signed in",
    "sign_in_passkey": "Signed in with a passkey",
    "sign_in_failed": "A sign-in failed",
    "sign_out": "Signed out",
    "session_ended": "A session was ended",
    "passphrase_changed": "Passphrase changed",
    "passphrase_reset": "Passphrase reset with a recovery code",
    "reauthenticated": "Passphrase confirmed",
    "export": "Data exported",
    "import": "Data imported",
    "checkin_deleted": "A check-in was deleted",
    "share_created": "Link for your therapist created",
    "share_opened": "Link for your therapist opened",
    "share_revoked": "Link for your therapist revoked",
    "passkey_added": "Passkey added",
    "passkey_removed": "Passkey removed",
}


def device_of(user_agent: str) -> str:
    """A coarse description such as "Firefox on Android" — never the full user agent."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for pattern, name in (
                (r"Edg/", "Edge"),
                (r"Firefox/", "Firefox"),
                (r"Chrome/|Chromium/|CriOS/", "Chrome"),
                (r"Safari/", "Safari"),
            )
            if re.search(pattern, ua)
        ),
        "A browser",
    )
    system = next(
        (
            name
            for pattern, name in (
                (r"Android", "Android"),
                (r"iPhone|iPad|iOS", "iPhone or iPad"),
                (r"Windows", "Windows"),
                (r"Mac OS X|Macintosh", "Mac"),
                (r"Linux", "Linux"),
            )
            if re.search(pattern, ua)
        ),
        "",
    )
    return f"{browser} on {system}" if system else browser


def record(db: Session, user_id: int | None, kind: str, detail: str = "") -> None:
    if user_id is None:
        return
    if kind not in KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    repo.add_activity(db, user_id, kind, detail[:200])


def record_kept(db: Session, user_id: int | None, kind: str, detail: str = "") -> None:
    """Record an event that stays recorded when its request then fails (a bad login)."""
    keep(db, lambda s: record(s, user_id, kind, detail))


# What the settings page and GET /api/activity show: enough to spot what you didn't do.
SHOWN = 50


@dataclass(frozen=True)
class Event:
    at: datetime  # UTC
    kind: str
    title: str  # the kind in plain words
    detail: str


def events(db: Session, user: User, limit: int | None = SHOWN) -> list[Event]:
    """The latest events, newest first, each with its kind in plain words."""
    assert user.id is not None
    return [
        Event(
            at=as_utc(row.at),
            kind=row.kind,
            title=KINDS.get(row.kind, row.kind.replace("_", " ").capitalize()),
            detail=row.detail,
        )
        for row in repo.activity_of(db, user.id, limit)
    ]
