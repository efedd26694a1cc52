"""Reading stored check-ins back: one result, this week's, pages of history, the trend summary."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from app import repositories as repo
from app.engine import HigherIs, start_value, therapy_week
from app.errors import Invalid, NotFound
from app.models import CheckIn, User, utcnow
from app.services.catalog import Catalog


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def result_of(row: CheckIn) -> dict[str, Any]:
    """The CheckInResult of the JSON contract (plus the raw answers and the note)."""
    return {
        "id": row.id,
        "client_id": row.client_id,
        "taken_at": row.taken_at.isoformat().replace("+00:00", "Z"),
        "therapy_week": row.therapy_week,
        "scores": row.result["scores"],
        "signs": row.result["signs"],
        "suggestions": row.result["suggestions"],
        "urgent": row.urgent,
        # Results stored before versions were recorded were all made with rules "1".
        "rules_version": row.result.get("rules_version", "1"),
        "answers": dict(row.answers),
        "note": row.note,
    }


def get(db: Session, user: User, checkin_id: str) -> CheckIn:
    assert user.id is not None
    row = repo.checkin_by_id(db, user.id, checkin_id)
    if row is None:
        raise NotFound("No check-in with that id.")
    return row


def this_weeks(db: Session, user: User) -> CheckIn | None:
    """The latest check-in while the next isn't due yet (taken less than a week ago)."""
    assert user.id is not None
    latest = repo.latest_checkins(db, user.id, 1)
    if latest and (latest[0].taken_at + timedelta(days=7)).date() > date.today():
        return latest[0]
    return None


def previous(db: Session, row: CheckIn) -> CheckIn | None:
    return repo.previous_checkin(db, row.user_id, row.taken_at)


def encode_cursor(row: CheckIn) -> str:
    raw = f"{row.taken_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, row_id = raw.split("|", 1)
        return as_utc(datetime.fromisoformat(moment)), row_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("That 'before' cursor is not one this server gave out.") from exc


def page(
    db: Session, user: User, limit: int, before: str | None
) -> tuple[list[CheckIn], str | None]:
    assert user.id is not None
    rows = list(
        repo.checkins_page(db, user.id, limit + 1, decode_cursor(before) if before else None)
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1]) if more and rows else None)


def _start(
    catalog: Catalog, every: Sequence[CheckIn], domain: str, higher_is: HigherIs, latest: int
) -> dict[str, int]:
    """The client's start in a domain, the same number the latest result calls "when you
    started": the engine's baseline from every check-in before the latest (all of them,
    not only those since therapy started); the only one when there is just one."""
    values = [r.result["scores"][domain]["value"] for r in every if domain in r.result["scores"]]
    if every and domain in every[-1].result["scores"] and len(values) > 1:
        values.pop()  # the latest is compared with the start, not part of it
    used = min(len(values), catalog.rules.timing.baseline_checkins.value)
    start = start_value(values, higher_is, catalog.rules)
    return {"start": start, "start_checkins": used, "change_from_start": latest - start}


def summary(db: Session, catalog: Catalog, user: User) -> dict[str, Any]:
    """Per-domain trend since therapy started, plus the latest result."""
    assert user.id is not None
    since = (
        datetime.combine(user.therapy_started_on, time(), UTC) if user.therapy_started_on else None
    )
    every = repo.checkins_since(db, user.id, None)
    rows = [r for r in every if since is None or as_utc(r.taken_at) >= since]
    domains: dict[str, dict[str, Any]] = {}
    for row in rows:
        for domain, score in row.result["scores"].items():
            entry = domains.setdefault(domain, {"higher_is": score["higher_is"], "points": []})
            entry["points"].append(
                {
                    "checkin_id": row.id,
                    "taken_at": row.taken_at.isoformat().replace("+00:00", "Z"),
                    "therapy_week": row.therapy_week,
                    "value": score["value"],
                    "band": score["band"],
                }
            )
    for domain, entry in domains.items():
        first, last = entry["points"][0]["value"], entry["points"][-1]["value"]
        entry.update(first=first, latest=last, change=last - first)
        entry.update(_start(catalog, every, domain, entry["higher_is"], last))
    latest = repo.latest_checkins(db, user.id, 1)
    now = utcnow()
    due = (latest[0].taken_at + timedelta(days=7)) if latest else now
    return {
        "therapy_started_on": user.therapy_started_on.isoformat()
        if user.therapy_started_on
        else None,
        "therapy_week": therapy_week(user.therapy_started_on, now),
        "checkin_count": len(rows),
        "domains": domains,
        "latest": result_of(latest[0]) if latest else None,
        "next_checkin_due": due.date().isoformat(),
    }
