"""The talking-points sheet: built from the latest check-in and the trend, and the client's choice.

A sheet is a plain dict (so a share link can keep a snapshot of it as JSON). Every point
on it has a stable `key`; the client's choice is stored as the keys left out, plus their
own points, for the check-in the sheet was built from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app import repositories as repo
from app.engine import DomainTrend
from app.engine.talking import TalkingPoints, load_talking_points
from app.errors import Invalid
from app.models import TalkingSelection, User, utcnow
from app.schemas import iso_z
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


def _sign_points(book: TalkingPoints, result: checkins.Result) -> list[dict[str, Any]]:
    """Each sign in the client's voice; its asks follow the steps this result suggests."""
    suggested = [s.id for s in result.suggestions]
    per_point = ASKS_PER_POINT if len(result.signs) <= ROOMY_POINTS else 1
    points = []
    for sign in result.signs:
        text = book.point(sign.id)
        if text is None:
            continue
        asks = text.asks()
        points.append(
            {
                "key": f"sign:{sign.id}",
                "sign": sign.id,
                "level": sign.level,
                "title": text.title,
                "noticed": text.noticed,
                "asks": [asks[s] for s in suggested if s in asks][:per_point],
            }
        )
    return points


def _trend(catalog: Catalog, domains: dict[str, DomainTrend]) -> dict[str, Any] | None:
    """The trend domains' lines, as the sheet (a JSON snapshot) keeps them."""
    series = [
        {
            "domain": domain,
            "name": catalog.rules.wording.domain_name(domain),
            "higher_is": trend.higher_is,
            "first": trend.first,
            "start": trend.start,
            "start_checkins": trend.start_checkins,
            "latest": trend.latest,
            "points": [{"at": iso_z(p.taken_at), "value": p.value} for p in trend.points],
        }
        for domain in catalog.rules.scoring.trend_domains.value
        if (trend := domains.get(domain)) is not None
    ]
    return {"key": "trend", "series": series} if series else None


def items(sheet: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Everything on a sheet that can be ticked or unticked."""
    yield from sheet["points"]
    yield from sheet["own"]
    yield from sheet["notes"]
    for single in ("goals", "trend"):
        if sheet.get(single):
            yield sheet[single]


def build(db: Session, catalog: Catalog, book: TalkingPoints, user: User) -> dict[str, Any] | None:
    """The whole sheet for the latest check-in, each item marked `included` or not."""
    assert user.id is not None
    summary = checkins.summary(db, catalog, user)
    latest = summary.latest
    if latest is None:
        return None
    moments = [p.taken_at for trend in summary.domains.values() for p in trend.points]
    started = summary.therapy_started_on
    selection = repo.talking_selection(db, user.id)
    if selection is not None and selection.checkin_id != latest.id:
        selection = None  # a new check-in starts a fresh sheet
    notes = repo.recent_notes(db, user.id, latest.taken_at, NOTES_SHOWN)
    sheet: dict[str, Any] = {
        "version": SNAPSHOT_VERSION,
        "checkin_id": latest.id,
        "first_at": iso_z(min(moments, default=latest.taken_at)),
        "latest_at": iso_z(latest.taken_at),
        "therapy_started_on": started.isoformat() if started else None,
        "checkin_count": summary.checkin_count or 1,
        "therapy_week": latest.therapy_week,
        "urgent": latest.urgent,
        "points": _sign_points(book, latest),
        "own": [
            {"key": f"own:{i}", "text": text}
            for i, text in enumerate(selection.own if selection else [])
        ],
        "notes": [
            {"key": f"note:{n.client_id}", "at": iso_z(n.taken_at), "text": n.note}
            for n in reversed(notes)
        ],
        "goals": {"key": "goals", "text": user.goals} if user.goals else None,
        "trend": _trend(catalog, summary.domains),
    }
    excluded = set(selection.excluded) if selection else set()
    for item in items(sheet):
        item["included"] = item["key"] not in excluded
    return sheet


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
    db: Session, user: User, sheet: dict[str, Any], included: set[str], new_own: list[str]
) -> None:
    """Keep what the client ticked (and their own points) for this sheet's check-in."""
    assert user.id is not None
    kept = [o["text"] for o in sheet["own"] if o["key"] in included]
    own = clean_own(kept + new_own)
    excluded = sorted(
        item["key"]
        for item in items(sheet)
        if item["key"] not in included and not item["key"].startswith("own:")
    )
    row = repo.talking_selection(db, user.id) or TalkingSelection(
        user_id=user.id, checkin_id=sheet["checkin_id"]
    )
    row.checkin_id = sheet["checkin_id"]
    row.excluded = excluded
    row.own = own
    row.updated_at = utcnow()
    repo.add(db, row)


def chosen(sheet: dict[str, Any]) -> dict[str, Any]:
    """Only what the client ticked, without internal ids: what may leave the account."""
    out = {k: v for k, v in sheet.items() if k != "checkin_id"}
    for many in ("points", "own", "notes"):
        out[many] = [_strip(item) for item in sheet[many] if item["included"]]
    for single in ("goals", "trend"):
        item = sheet.get(single)
        out[single] = _strip(item) if item and item["included"] else None
    return out


def _strip(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "included"}


def selection_export(db: Session, user: User) -> dict[str, Any] | None:
    """The stored choice, keyed by the check-in's client_id (ids change on import)."""
    assert user.id is not None
    row = repo.talking_selection(db, user.id)
    if row is None:
        return None
    checkin = repo.checkin_by_id(db, user.id, row.checkin_id)
    if checkin is None:
        return None
    return {
        "checkin_client_id": checkin.client_id,
        "excluded": list(row.excluded),
        "own": list(row.own),
        "updated_at": iso_z(row.updated_at),
    }


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
