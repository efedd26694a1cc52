"""Read-only links to a snapshot of the talking-points sheet, for the client's therapist.

The token (256 bits) is shown to the client once; only its SHA-256 is stored, so a copy
of the database cannot open anyone's sheet.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app import repositories as repo
from app.errors import Invalid, NotFound
from app.models import ShareLink, User, utcnow
from app.schemas import Sheet
from app.security import sha256
from app.services import activity

DEFAULT_DAYS = 14
DAY_CHOICES = (1, 7, 14, 30)
MAX_LIVE_LINKS = 20
# Opening links, per network address: generous for a therapist, tight for guessing.
OPENS_PER_WINDOW = 30
OPEN_WINDOW = timedelta(minutes=10)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43,64}$")


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def create(
    db: Session, user: User, sheet: Sheet, days: int = DEFAULT_DAYS
) -> tuple[str, ShareLink]:
    """A new link to what the client chose; returns the token (shown once) and the row."""
    assert user.id is not None
    if days not in DAY_CHOICES:
        raise Invalid("Please choose how long the link should work.")
    now = utcnow()
    if repo.live_share_link_count(db, user.id, now) >= MAX_LIVE_LINKS:
        raise Invalid(
            f"You already have {MAX_LIVE_LINKS} links that still work. "
            "Please revoke some in Settings first."
        )
    chosen = sheet.chosen()
    if chosen.is_empty():
        raise Invalid("Nothing is ticked, so there would be nothing to share.")
    # Crisis numbers go with the sheet only when the client chose to share that point.
    crisis = sheet.urgent and any(p.sign == "self_harm_risk" for p in chosen.points)
    shared = chosen.model_copy(update={"crisis_country": user.country if crisis else None})
    token = secrets.token_urlsafe(32)
    row = ShareLink(
        user_id=user.id,
        token_hash=sha256(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
        sheet=shared.snapshot(),
    )
    repo.add(db, row)
    activity.record(db, user.id, "share_created", f"works for {days} day{'s' if days != 1 else ''}")
    return token, row


def status(row: ShareLink) -> str:
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if row.expires_at <= utcnow() else "active"


@dataclass(frozen=True)
class LinkEntry:
    """A link as settings lists it: when it was made, until when it works, how often opened."""

    id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_opened_at: datetime | None
    open_count: int
    status: str  # "active", "expired" or "revoked"


def listing(db: Session, user: User) -> list[LinkEntry]:
    assert user.id is not None
    return [_entry(row) for row in repo.share_links_of(db, user.id)]


def _entry(row: ShareLink) -> LinkEntry:
    assert row.id is not None
    return LinkEntry(
        id=row.id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_opened_at=row.last_opened_at,
        open_count=row.open_count,
        status=status(row),
    )


def revoke(db: Session, user: User, link_id: int) -> None:
    assert user.id is not None
    row = repo.share_link_of(db, user.id, link_id)
    if row is None:
        raise NotFound("No such link.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        repo.add(db, row)
        activity.record(db, user.id, "share_revoked", f"the link made on {_day(row.created_at)}")


@dataclass(frozen=True)
class Opened:
    """A shared sheet as the therapist sees it: the snapshot, when the link was made, and
    the name the client chose for shared sheets (None: no name, never the username)."""

    sheet: Sheet
    made_at: datetime
    shared_by: str | None


def open_link(db: Session, token: str) -> Opened | None:
    """The shared sheet, counted as one more opening; None when unknown, expired or revoked."""
    if not _TOKEN.fullmatch(token):
        return None
    row = repo.share_link_by_token_hash(db, sha256(token))
    if row is None or status(row) != "active":
        return None
    repo.count_share_open(db, row.id, utcnow())
    # The visitor is anonymous (the therapist): the owner's log says which link was opened.
    activity.record(db, row.user_id, "share_opened", f"the link made on {_day(row.created_at)}")
    # The name is read now, not kept with the link: clearing it in Settings takes it off
    # every link at once.
    owner = repo.user_by_id(db, row.user_id)
    name = owner.display_name if owner is not None else None
    return Opened(
        sheet=Sheet.from_snapshot(row.sheet), made_at=row.created_at, shared_by=name or None
    )


@dataclass(frozen=True)
class ExportedLink:
    """A link as data the account owns: when, how often opened, what it shows. Never the hash."""

    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    open_count: int
    last_opened_at: datetime | None
    sheet: Sheet


def export_rows(db: Session, user: User) -> list[ExportedLink]:
    assert user.id is not None
    return [
        ExportedLink(
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            open_count=row.open_count,
            last_opened_at=row.last_opened_at,
            sheet=Sheet.from_snapshot(row.sheet),
        )
        for row in repo.share_links_of(db, user.id)
    ]
