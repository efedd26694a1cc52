"""The talking-points sheet: built from the latest check-in and the trend, and the client's choice.

A sheet is a typed `Sheet` (app/schemas/talking.py), which a share link keeps as a JSON
snapshot. Every point on it has a stable `key`; the client's choice is stored as the keys
left out, plus their own points, for the check-in the sheet was built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from app import repositories as repo
from app.engine import DomainTrend
from app.engine.talking import TalkingPoints, load_talking_points
from app.errors import Invalid
from app.models import TalkingSelection, User, utcnow
from app.schemas import (
    GoalsItem,
    NotePoint,
    OwnPoint,
    Sheet,
    SignPoint,
    TrendItem,
    TrendPoint,
    TrendSeries,
)
from app.services import checkins
from app.services.catalog import Catalog

NOTES_SHOWN = 3
ASKS_PER_POINT = 2
# Past this many points, each keeps one ask, so the sheet still prints on one page.
ROOMY_POINTS = 8
OWN_MAX = 5
OWN_CHARS = 200
SNAPSHOT_VERSION = 1


def load(folder: Path, catalog: Catalog) -> TalkingPoints:
    """Read the wording and check it against the rules; called at start-up."""
    book = load_talking_points(folder / "talking_points.yaml")
    book.check_follow_ups(catalog.rules.follow_ups.value)
    return book


def _sign_points(
    book: TalkingPoints, result: checkins.Result, excluded: set[str]
) -> list[SignPoint]:
    """Each sign in the client's voice; its asks follow the steps this result suggests."""
    suggested = [s.id for s in result.suggestions]
    per_point = ASKS_PER_POINT if len(result.signs) <= ROOMY_POINTS else 1
    points = []
    for sign in result.signs:
        text = book.point(sign.id)
        if text is None:
            continue
        asks = text.asks()
        key = f"sign:{sign.id}"
        points.append(
            SignPoint(
                key=key,
                sign=sign.id,
                level=sign.level,
                title=text.title,
                noticed=text.noticed,
                asks=[asks[s] for s in suggested if s in asks][:per_point],
                included=key not in excluded,
            )
        )
    return points


def _trend(
    catalog: Catalog, domains: dict[str, DomainTrend], excluded: set[str]
) -> TrendItem | None:
    """The trend domains' lines."""
    series = [
        TrendSeries(
            domain=domain,
            name=catalog.rules.wording.domain_name(domain),
            higher_is=trend.higher_is,
            first=trend.first,
            start=trend.start,
            start_checkins=trend.start_checkins,
            latest=trend.latest,
            points=[TrendPoint(at=p.taken_at, value=p.value) for p in trend.points],
        )
        for domain in catalog.rules.scoring.trend_domains.value
        if (trend := domains.get(domain)) is not None
    ]
    if not series:
        return None
    return TrendItem(key="trend", series=series, included="trend" not in excluded)


def build(db: Session, catalog: Catalog, book: TalkingPoints, user: User) -> Sheet | None:
    """The whole sheet for the latest check-in, each item marked `included` or not."""
    assert user.id is not None
    summary = checkins.summary(db, catalog, user)
    latest = summary.latest
    if latest is None:
        return None
    moments = [p.taken_at for trend in summary.domains.values() for p in trend.points]
    selection = repo.talking_selection(db, user.id)
    if selection is not None and selection.checkin_id != latest.id:
        selection = None  # a new check-in starts a fresh sheet
    excluded = set(selection.excluded) if selection else set()
    notes = repo.recent_notes(db, user.id, latest.taken_at, NOTES_SHOWN)
    own = [(f"own:{i}", text) for i, text in enumerate(selection.own if selection else [])]
    return Sheet(
        version=SNAPSHOT_VERSION,
        checkin_id=latest.id,
        first_at=min(moments, default=latest.taken_at),
        latest_at=latest.taken_at,
        therapy_started_on=summary.therapy_started_on,
        checkin_count=summary.checkin_count or 1,
        therapy_week=latest.therapy_week,
        urgent=latest.urgent,
        points=_sign_points(book, latest, excluded),
        own=[OwnPoint(key=key, text=text, included=key not in excluded) for key, text in own],
        notes=[
            NotePoint(
                key=f"note:{n.client_id}",
                at=n.taken_at,
                text=n.note or "",
                included=f"note:{n.client_id}" not in excluded,
            )
            for n in reversed(notes)
        ],
        goals=GoalsItem(key="goals", text=user.goals, included="goals" not in excluded)
        if user.goals
        else None,
        trend=_trend(catalog, summary.domains, excluded),
    )


def clean_own(texts: list[str]) -> list[str]:
    own = [" ".join(text.split()) for text in texts]
    own = [text for text in own if text]
    if any(len(text) > OWN_CHARS for text in own):
        raise Invalid(
            f"Please keep each point under {OWN_CHARS} characters.",
            fields={"own": f"Please keep each point under {OWN_CHARS} characters."},
        )
    if len(own) > OWN_MAX:
        raise Invalid(
            f"You can add up to {OWN_MAX} points of your own.",
            fields={"own": f"You can add up to {OWN_MAX} points of your own."},
        )
    return own


def save_choice(
    db: Session, user: User, sheet: Sheet, included: set[str], new_own: list[str]
) -> None:
    """Keep what the client ticked (and their own points) for this sheet's check-in."""
    assert user.id is not None
    assert sheet.checkin_id is not None  # a built sheet, not a snapshot
    kept = [o.text for o in sheet.own if o.key in included]
    own = clean_own(kept + new_own)
    excluded = sorted(
        item.key
        for item in sheet.items()
        if item.key not in included and not item.key.startswith("own:")
    )
    row = repo.talking_selection(db, user.id) or TalkingSelection(
        user_id=user.id, checkin_id=sheet.checkin_id
    )
    row.checkin_id = sheet.checkin_id
    row.excluded = excluded
    row.own = own
    row.updated_at = utcnow()
    repo.add(db, row)


@dataclass(frozen=True)
class SavedChoice:
    """The stored choice, keyed by the check-in's client_id (ids change on import)."""

    checkin_client_id: str
    excluded: list[str]
    own: list[str]
    updated_at: datetime


def selection_export(db: Session, user: User) -> SavedChoice | None:
    """The stored choice for the export, when its check-in is still here."""
    assert user.id is not None
    row = repo.talking_selection(db, user.id)
    if row is None:
        return None
    checkin = repo.checkin_by_id(db, user.id, row.checkin_id)
    if checkin is None:
        return None
    return SavedChoice(
        checkin_client_id=checkin.client_id,
        excluded=list(row.excluded),
        own=list(row.own),
        updated_at=row.updated_at,
    )


def restore_selection(
    db: Session, user: User, checkin_client_id: str, excluded: list[str], own: list[str]
) -> bool:
    """Put an exported choice back when its check-in is here; True when it was applied.

    A choice already made for another check-in is left alone: it is the newer one.
    """
    assert user.id is not None
    checkin = repo.checkin_by_client_id(db, user.id, checkin_client_id)
    if checkin is None:
        return False
    row = repo.talking_selection(db, user.id)
    if row is not None and row.checkin_id != checkin.id:
        return False
    row = row or TalkingSelection(user_id=user.id, checkin_id=checkin.id)
    row.excluded = sorted(set(excluded))
    row.own = clean_own(own)
    row.updated_at = utcnow()
    repo.add(db, row)
    return True
