"""Reading a JSON export back into an account: same history, same results, nothing twice.

Check-ins are re-inserted with their stored results rather than evaluated again: a result
depends on the profile at the time (medication, therapy start), which the export cannot
replay, and the client should see again exactly what they were told. The raw answers and
questionnaire version travel with each one, so they can still be rescored later. Before
anything is written, every entry is checked, including the safety invariant (a risk answer
always carries crisis help), so an edited file can't hide it; one bad entry and nothing is
stored.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app import repositories as repo
from app.engine import Questionnaire
from app.errors import Invalid
from app.models import CheckIn, User, utcnow
from app.schemas import ImportCheckIn, ImportDoc
from app.services import accounts, activity, checkins, safety_plan, talking_points
from app.services.catalog import Catalog
from app.services.checkins import CLOCK_SKEW, as_utc

MAX_PROBLEMS_SHOWN = 5


def _iso(entry: ImportCheckIn) -> str:
    return as_utc(entry.taken_at).isoformat().replace("+00:00", "Z")


def _answer_problems(quest: Questionnaire, entry: ImportCheckIn) -> list[str]:
    problems = []
    for item_id, value in entry.answers.items():
        item = quest.item(item_id)
        if item is None:
            problems.append(f'there is no question "{item_id}"')
        elif not item.min <= value <= item.max:
            problems.append(f"{item_id} = {value} is outside {item.min}-{item.max}")
    return problems


def _result_problems(quest: Questionnaire, entry: ImportCheckIn) -> list[str]:
    """The stored result must agree with itself and with the safety invariant."""
    signs = [s.id for s in entry.signs]
    steps = [s.id for s in entry.suggestions]
    risky = any(
        (item := quest.item(item_id)) is not None and item.domain == "safety" and value > item.min
        for item_id, value in entry.answers.items()
    )
    flagged = "self_harm_risk" in signs
    if risky and not flagged:
        return ["a risk answer without crisis help in its result"]
    if entry.urgent != flagged:
        return ["'urgent' does not match the signs"]
    if flagged and (steps[:1] != ["urgent_help"] or "pause" in steps):
        return ["crisis help must come first, and never with a pause"]
    return []


def _check(catalog: Catalog, doc: ImportDoc) -> None:
    """Every problem in the file, before anything is written."""
    quest = catalog.questionnaire
    latest_ok = utcnow() + CLOCK_SKEW
    problems: list[str] = []
    seen: set[str] = set()
    for number, entry in enumerate(doc.checkins, start=1):
        where = f"check-in {number} ({entry.client_id})"
        found = _answer_problems(quest, entry) + _result_problems(quest, entry)
        if as_utc(entry.taken_at) > latest_ok:
            found.append("taken_at is in the future")
        if str(entry.client_id) in seen:
            found.append("the same client_id appears twice in the file")
        seen.add(str(entry.client_id))
        problems += [f"{where}: {p}" for p in found]
    if doc.talking_points is not None:
        try:
            talking_points.clean_own(doc.talking_points.own)
        except Invalid as exc:
            problems.append(f"talking_points: {exc.detail}")
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        tail = f" (and {more} more)" if more else ""
        raise Invalid("Nothing was imported. " + "; ".join(shown) + tail + ".")


def _row(user_id: int, entry: ImportCheckIn) -> CheckIn:
    return CheckIn(
        user_id=user_id,
        client_id=str(entry.client_id),
        taken_at=min(as_utc(entry.taken_at), utcnow()),
        questionnaire_id=entry.questionnaire_id,
        questionnaire_version=entry.questionnaire_version,
        answers=dict(entry.answers),
        note=(entry.note or "").strip() or None,
        therapy_week=entry.therapy_week,
        urgent=entry.urgent,
        result={
            "scores": {k: v.model_dump(mode="json") for k, v in entry.scores.items()},
            "signs": [s.model_dump(mode="json") for s in entry.signs],
            "suggestions": [s.model_dump(mode="json") for s in entry.suggestions],
            "rules_version": entry.rules_version,
        },
    )


def import_export(db: Session, catalog: Catalog, user: User, doc: ImportDoc) -> dict[str, Any]:
    """Apply the profile, add the check-ins this account lacks, restore the sheet's choice."""
    assert user.id is not None
    _check(catalog, doc)
    if doc.profile is not None:
        accounts.update_profile(
            db,
            user,
            known_countries=catalog.country_codes,
            changes=doc.profile.model_dump(),
        )
    have = {row.client_id: row for row in repo.checkins_since(db, user.id, None)}
    imported = already = 0
    conflicts = []
    earliest = None
    for entry in sorted(doc.checkins, key=lambda e: as_utc(e.taken_at)):
        existing = have.get(str(entry.client_id))
        if existing is None:
            row = _row(user.id, entry)
            repo.add(db, row)
            earliest = earliest or row.taken_at
            imported += 1
        elif dict(existing.answers) == entry.answers and (existing.note or None) == (
            (entry.note or "").strip() or None
        ):
            already += 1
        else:
            conflicts.append(
                {
                    "client_id": str(entry.client_id),
                    "taken_at": _iso(entry),
                    "detail": "A check-in with this client_id is already here with different "
                    "answers or note; the one here was kept.",
                }
            )
    if earliest is not None:
        # Every stored check-in counts (invariant 14): every result after the earliest
        # imported check-in is made again with the whole history in it.
        db.flush()
        checkins.reevaluate_after(db, catalog, user, earliest)
    restored = False
    if doc.talking_points is not None:
        choice = doc.talking_points
        restored = talking_points.restore_selection(
            db, user, str(choice.checkin_client_id), choice.excluded, choice.own
        )
    plan_restored = doc.safety_plan is not None and safety_plan.restore(db, user, doc.safety_plan)
    activity.record(
        db, user.id, "import", f"{imported} check-in{'s' if imported != 1 else ''} added"
    )
    return {
        "imported": imported,
        "already_present": already,
        "conflicts": conflicts,
        "profile_applied": doc.profile is not None,
        "talking_points_restored": restored,
        "safety_plan_restored": plan_restored,
    }
