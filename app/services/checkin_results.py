"""Reading stored check-ins back: one result, this week's, pages of history, the trend summary."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from app import repositories as repo
from app.engine import (
    DomainScore,
    DomainTrend,
    ScoredCheckIn,
    Sign,
    Suggestion,
    domain_trends,
    taken_since,
    therapy_week,
)
from app.engine.scoring import as_utc
from app.errors import Invalid, NotFound
from app.models import CheckIn, User, utcnow
from app.schemas import in_window, is_checkin_id
from app.services.catalog import Catalog


@dataclass(frozen=True)
class Result:
    """One check-in's result: the contract's CheckInResult, typed (the API writes it with
    CheckInResult.of), plus the raw answers and the note."""

    id: str
    client_id: str
    taken_at: datetime  # aware, UTC
    therapy_week: int | None
    scores: dict[str, DomainScore]
    signs: list[Sign]
    suggestions: list[Suggestion]
    urgent: bool
    rules_version: str
    answers: dict[str, int]
    note: str | None


def result_of(row: CheckIn) -> Result:
    """A stored check-in's result, read back into its types."""
    return Result(
        id=row.id,
        client_id=row.client_id,
        taken_at=as_utc(row.taken_at),
        therapy_week=row.therapy_week,
        scores={d: DomainScore.model_validate(s) for d, s in row.result["scores"].items()},
        signs=[Sign.model_validate(s) for s in row.result["signs"]],
        suggestions=[Suggestion.model_validate(s) for s in row.result["suggestions"]],
        urgent=row.urgent,
        # Results stored before versions were recorded were all made with rules "1".
        rules_version=row.result.get("rules_version", "1"),
        answers=dict(row.answers),
        note=row.note,
    )


def stored(db: Session, user: User, checkin_id: str) -> CheckIn:
    """The stored row of one check-in (for changing it); NotFound when not this account's,
    or when the id can't be one (a page's path: not looked up at all)."""
    assert user.id is not None
    row = repo.checkin_by_id(db, user.id, checkin_id) if is_checkin_id(checkin_id) else None
    if row is None:
        raise NotFound("No check-in with that id.")
    return row


def get(db: Session, user: User, checkin_id: str) -> Result:
    return result_of(stored(db, user, checkin_id))


def this_weeks(db: Session, user: User) -> Result | None:
    """The latest check-in while the next isn't due yet (taken less than a week ago)."""
    assert user.id is not None
    latest = repo.latest_checkins(db, user.id, 1)
    if latest and (latest[0].taken_at + timedelta(days=7)).date() > date.today():
        return result_of(latest[0])
    return None


def previous(db: Session, user: User, result: Result) -> Result | None:
    """The check-in taken just before this one, if any."""
    assert user.id is not None
    row = repo.previous_checkin(db, user.id, result.taken_at)
    return result_of(row) if row is not None else None


def encode_cursor(row: CheckIn) -> str:
    raw = f"{row.taken_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(taken_at, id) of the check-in a page ended with. Anything else is a 422 before it
    reaches SQL: not base64 or UTF-8, no "|", not a time, a time outside what a check-in
    may carry (as `taken_at`: from 2000 on, and not in the future), not a check-in's id."""
    from app.services.checkins import CLOCK_SKEW  # that module imports this one

    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, row_id = raw.split("|", 1)
        taken_at = in_window(datetime.fromisoformat(moment), latest=utcnow() + CLOCK_SKEW)
        if not is_checkin_id(row_id):
            raise ValueError("not a check-in's id")
        return taken_at, row_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("That 'before' cursor is not one this server gave out.") from exc


def page(
    db: Session, user: User, limit: int, before: str | None
) -> tuple[list[Result], str | None]:
    """Newest first; the cursor for the next page when there is one."""
    assert user.id is not None
    rows = list(
        repo.checkins_page(db, user.id, limit + 1, decode_cursor(before) if before else None)
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return [result_of(r) for r in rows], (encode_cursor(rows[-1]) if more and rows else None)


@dataclass(frozen=True)
class Summary:
    """Per-domain trend since therapy started, plus the latest check-in and when the next
    one is due (GET /api/summary writes it as JSON; the pages read it as it is)."""

    therapy_started_on: date | None
    therapy_week: int | None
    checkin_count: int  # since therapy started
    domains: dict[str, DomainTrend]
    latest: Result | None  # the latest of every check-in stored
    next_checkin_due: date


def summary(db: Session, catalog: Catalog, user: User) -> Summary:
    """Per-domain trend since therapy started, plus the latest check-in (of all stored)."""
    assert user.id is not None
    since = (
        datetime.combine(user.therapy_started_on, time(), UTC) if user.therapy_started_on else None
    )
    every = repo.checkins_since(db, user.id, None)
    scored = [ScoredCheckIn(r.id, r.taken_at, r.therapy_week, r.result["scores"]) for r in every]
    latest = every[-1] if every else None  # the newest (taken_at, id), as latest_checkins
    now = utcnow()
    due = (latest.taken_at + timedelta(days=7)) if latest else now
    return Summary(
        therapy_started_on=user.therapy_started_on,
        therapy_week=therapy_week(user.therapy_started_on, now),
        checkin_count=len(taken_since(scored, since)),
        domains=domain_trends(scored, since, catalog.rules),
        latest=result_of(latest) if latest else None,
        next_checkin_due=due.date(),
    )
