"""Everything an account owns, as JSON (re-importable) or CSV (one row per check-in)."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import Session

from app import repositories as repo
from app.models import User, utcnow
from app.schemas import ActivityItem, CheckInResult, ShareLinkOut, TalkingChoiceOut, iso_z
from app.services import activity, safety_plan, sharing, talking_points
from app.services.catalog import Catalog
from app.services.checkins import result_of

FORMAT = "therapy-checkin-export"
FORMAT_VERSION = 1


def export_json(db: Session, user: User) -> dict[str, Any]:
    assert user.id is not None
    rows = repo.checkins_since(db, user.id, None)
    choice = talking_points.selection_export(db, user)
    links = sharing.export_rows(db, user)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": iso_z(utcnow()),
        "account": {
            "username": user.username,
            "created_at": iso_z(user.created_at),
        },
        "profile": {
            "therapy_started_on": user.therapy_started_on.isoformat()
            if user.therapy_started_on
            else None,
            "on_medication": user.on_medication,
            "country": user.country,
            "goals": user.goals,
            "display_name": user.display_name,
        },
        "checkins": [
            {
                **CheckInResult.of(result_of(row)).model_dump(mode="json"),
                "questionnaire_id": row.questionnaire_id,
                "questionnaire_version": row.questionnaire_version,
            }
            for row in rows
        ],
        "talking_points": TalkingChoiceOut.of(choice).model_dump() if choice else None,
        "safety_plan": _plan(db, user),
        "share_links": [ShareLinkOut.of(link).model_dump() for link in links],
        "activity": [
            ActivityItem.of(e).model_dump() for e in activity.events(db, user, limit=None)
        ],
    }


def _plan(db: Session, user: User) -> dict[str, Any] | None:
    plan = safety_plan.read(db, user)
    return plan.to_json() if safety_plan.has_plan(plan) else None


def _cell(value: object) -> object:
    # Spreadsheets run text that starts with these as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(db: Session, catalog: Catalog, user: User) -> str:
    assert user.id is not None
    rows = repo.checkins_since(db, user.id, None)
    items = [item.id for item in catalog.questionnaire.items]
    results = [result_of(row) for row in rows]
    domains = sorted({d for result in results for d in result.scores})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "checkin_id",
            "taken_at",
            "therapy_week",
            "questionnaire_version",
            *items,
            *(f"score_{d}" for d in domains),
            "urgent",
            "signs",
            "note",
        ]
    )
    for row, result in zip(rows, results, strict=True):
        writer.writerow(
            [
                row.id,
                row.taken_at.isoformat(),
                row.therapy_week,
                row.questionnaire_version,
                *(row.answers.get(i, "") for i in items),
                *(result.scores[d].value if d in result.scores else "" for d in domains),
                "yes" if result.urgent else "no",
                ";".join(sign.id for sign in result.signs),
                _cell(row.note or ""),
            ]
        )
    return out.getvalue()
