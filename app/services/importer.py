"""Reading a JSON export back into an account: same history, same results, nothing twice.

Check-ins are merged. What the client already has (country, medication, therapy start,
goals, display name, safety plan) is never changed unasked: the import reports each value
in the file that differs from the account's, and applies only those the client names.

Check-ins are re-inserted with their stored results rather than evaluated again: a result
depends on the profile at the time (medication, therapy start), which the export cannot
replay, and the client should see again exactly what they were told. The raw answers and
questionnaire version travel with each one, so they can still be rescored later. Before
anything is written, every entry is checked, including the safety invariant (a risk answer
always carries crisis help), so an edited file can't hide it; one bad entry and nothing is
stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app import repositories as repo
from app.engine import Questionnaire
from app.engine.scoring import as_utc
from app.errors import Invalid
from app.models import CheckIn, User, utcnow
from app.schemas import ImportCheckIn, ImportDoc, ImportProfile, ImportSafetyPlan
from app.services import accounts, activity, checkins, safety_plan, talking_points
from app.services.catalog import Catalog
from app.services.checkins import CLOCK_SKEW

MAX_PROBLEMS_SHOWN = 5


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


def _profile_problems(catalog: Catalog, profile: ImportProfile | None) -> list[str]:
    """What the live profile would refuse and a schema can't see (it has no catalog)."""
    if profile is None:
        return []
    country = profile.country.upper()
    if not accounts.country_ok(country, catalog.country_codes):
        return [f'profile: "{country}" is not a country code (use the two letters, or OTHER)']
    return []


def _check(catalog: Catalog, doc: ImportDoc) -> None:
    """Every problem in the file, before anything is written."""
    quest = catalog.questionnaire
    latest_ok = utcnow() + CLOCK_SKEW
    problems: list[str] = _profile_problems(catalog, doc.profile)
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


PROFILE_LABELS = {
    "country": "Country (for the crisis numbers)",
    "on_medication": "Taking medication",
    "therapy_started_on": "Date therapy started",
    "goals": "Your goals",
    "display_name": "Name on shared sheets",
}
APPLICABLE = (*PROFILE_LABELS, "safety_plan")


def _clean(field: str, value: Any) -> Any:
    """A profile value as the account would store it, so equal values compare equal."""
    if field == "country":
        return str(value).upper()
    if field in ("goals", "display_name"):
        return " ".join(str(value or "").split()) or None
    return value


@dataclass(frozen=True)
class Difference:
    """A value in the file that differs from the account's (None: unset). A date stays a
    date; the safety plan is its parts by name."""

    field: str
    current: Any
    in_file: Any
    applied: bool = False


@dataclass(frozen=True)
class Conflict:
    """A check-in here with the file's client_id but other answers or note: kept as it was."""

    client_id: str
    taken_at: datetime
    detail: str = (
        "A check-in with this client_id is already here with different answers or note; "
        "the one here was kept."
    )


@dataclass(frozen=True)
class Outcome:
    imported: int
    already_present: int
    conflicts: list[Conflict]
    changes: list[Difference]
    talking_points_restored: bool

    @property
    def applied(self) -> list[str]:
        return [d.field for d in self.changes if d.applied]

    @property
    def profile_applied(self) -> list[str]:
        return [name for name in self.applied if name != "safety_plan"]


def differences(db: Session, user: User, doc: ImportDoc) -> list[Difference]:
    """What the file would change in this account: each value here, and the file's."""
    found: list[Difference] = []
    if doc.profile is not None:
        given = doc.profile.model_dump()
        for field in PROFILE_LABELS:
            if field not in doc.profile.model_fields_set or not hasattr(user, field):
                continue  # a file without the field asks for no change
            here, there = _clean(field, getattr(user, field)), _clean(field, given[field])
            if here != there:
                found.append(Difference(field, here, there))
    if doc.safety_plan is not None:
        here_plan = safety_plan.read(db, user)
        current = here_plan.model_dump(include=set(safety_plan.PARTS))
        there_plan = doc.safety_plan.model_dump()
        if safety_plan.has_plan(doc.safety_plan) and any(
            current[part] != there_plan[part] for part in safety_plan.PARTS
        ):
            here_or_none = current if safety_plan.has_plan(here_plan) else None
            found.append(Difference("safety_plan", here_or_none, there_plan))
    return found


def apply_changes(
    db: Session,
    catalog: Catalog,
    user: User,
    profile: ImportProfile | None,
    plan: ImportSafetyPlan | None,
    chosen: Iterable[str],
) -> list[str]:
    """Set the named values from the file; returns the names of those that changed."""
    problems = _profile_problems(catalog, profile)
    if problems:
        raise Invalid("Nothing was changed. " + "; ".join(problems) + ".")
    doc = ImportDoc(format="therapy-checkin-export", format_version=1)
    doc.profile, doc.safety_plan = profile, plan
    wanted = set(chosen)
    changes = [d for d in differences(db, user, doc) if d.field in wanted]
    fields = {d.field: getattr(profile, d.field) for d in changes if d.field in PROFILE_LABELS}
    if fields:
        accounts.update_profile(db, user, known_countries=catalog.country_codes, changes=fields)
    if plan is not None and any(d.field == "safety_plan" for d in changes):
        safety_plan.save(db, user, plan)
    applied = [d.field for d in changes]
    if applied:
        assert user.id is not None
        activity.record(db, user.id, "import", "set from the file: " + ", ".join(applied))
    return applied


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


def import_export(
    db: Session, catalog: Catalog, user: User, doc: ImportDoc, apply: Iterable[str] = ()
) -> Outcome:
    """Add the check-ins this account lacks and restore the sheet's choice; of the profile
    and safety plan, change only the values named in `apply`."""
    assert user.id is not None
    _check(catalog, doc)
    changes = differences(db, user, doc)
    applied = apply_changes(db, catalog, user, doc.profile, doc.safety_plan, apply)
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
            conflicts.append(Conflict(str(entry.client_id), as_utc(entry.taken_at)))
    if earliest is not None:
        # Every stored check-in counts (invariant 14): every result after the earliest
        # imported check-in is made again with the whole history in it.
        repo.flush(db)
        checkins.reevaluate_after(db, catalog, user, earliest)
    restored = False
    if doc.talking_points is not None:
        choice = doc.talking_points
        restored = talking_points.restore_selection(
            db, user, str(choice.checkin_client_id), choice.excluded, choice.own
        )
    activity.record(
        db, user.id, "import", f"{imported} check-in{'s' if imported != 1 else ''} added"
    )
    return Outcome(
        imported=imported,
        already_present=already,
        conflicts=conflicts,
        changes=[replace(d, applied=d.field in applied) for d in changes],
        talking_points_restored=restored,
    )
