"""Recording a check-in (idempotent by client_id), follow-ups, deletion, re-evaluation.

Reading them back lives in checkin_results; its names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from app import repositories as repo
from app.engine import CheckInRecord, Evaluation, Item
from app.engine.scoring import as_utc
from app.errors import Conflict, Invalid
from app.models import CheckIn, User, utcnow
from app.services import activity
from app.services.catalog import Catalog
from app.services.checkin_history import (
    evaluate_among,
    evaluate_new,
    everything_before,
    scored_with,
)
from app.services.checkin_history import profile_of as profile_of

# Callers read results through this module too (explicit re-exports).
from app.services.checkin_results import Result as Result
from app.services.checkin_results import Summary as Summary
from app.services.checkin_results import decode_cursor as decode_cursor
from app.services.checkin_results import encode_cursor as encode_cursor
from app.services.checkin_results import get as get
from app.services.checkin_results import page as page
from app.services.checkin_results import previous as previous
from app.services.checkin_results import result_of as result_of
from app.services.checkin_results import stored as stored
from app.services.checkin_results import summary as summary
from app.services.checkin_results import this_weeks as this_weeks

# A phone's clock may run a little fast; beyond this a time in the future is refused.
CLOCK_SKEW = timedelta(minutes=5)
NOTE_MAX = 1000


def clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(
            f"The note is longer than {NOTE_MAX} characters.",
            fields={"note": f"Please keep it under {NOTE_MAX} characters."},
        )
    return note or None


def submit(
    db: Session,
    catalog: Catalog,
    user: User,
    *,
    client_id: str,
    taken_at: datetime | None,
    answers: dict[str, int],
    note: str | None,
) -> tuple[CheckIn, bool]:
    """Store one check-in and its evaluation; returns (row, created)."""
    assert user.id is not None
    now = utcnow()
    moment = now if taken_at is None else as_utc(taken_at)
    if moment > now + CLOCK_SKEW:
        raise Invalid(
            "taken_at is in the future; only past times can be recorded.",
            fields={"taken_at": "This time is in the future."},
        )
    moment = min(moment, now)
    note = clean_note(note)

    quest = catalog.questionnaire
    problems = quest.check_answers(answers, user.on_medication)
    if problems:
        # A resend is answered with what was stored, whatever the answers now look like.
        existing = repo.checkin_by_client_id(db, user.id, client_id)
        if existing is not None:
            return _replay(catalog, existing, answers, note), False
        raise Invalid(
            "Some answers need another look: " + " ".join(f"{k}: {v}" for k, v in problems.items()),
            fields=problems,
        )

    current = CheckInRecord(taken_at=moment, answers=answers)
    evaluation, later = evaluate_new(db, catalog, user, current)
    row = CheckIn(
        user_id=user.id,
        client_id=client_id,
        taken_at=moment,
        questionnaire_id=quest.id,
        questionnaire_version=str(quest.version),
        answers=dict(answers),
        note=note,
        result={},
    )
    _keep(row, evaluation, catalog, user)
    if not repo.insert_checkin(db, row):
        # This client_id is stored already (a resend, two tabs, a retry): one row wins.
        winner = repo.checkin_by_client_id(db, user.id, client_id)
        if winner is None:  # pragma: no cover - ON CONFLICT found it a moment ago
            raise RuntimeError("a check-in's client_id conflicted with no visible row")
        return _replay(catalog, winner, answers, note), False
    if later:
        # A missed week recorded afterwards is part of every later result (invariant 14).
        reevaluate_after(db, catalog, user, moment)
    return row, True


def _stored(evaluation: Evaluation, catalog: Catalog) -> dict[str, Any]:
    """What a check-in row keeps of its evaluation, with the rules version that made it."""
    kept = evaluation.model_dump(mode="json", include={"scores", "signs", "suggestions"})
    return {**kept, "rules_version": catalog.rules.version}


def _keep(row: CheckIn, evaluation: Evaluation, catalog: Catalog, user: User) -> bool:
    """Store an evaluation on its row; True when anything the client sees changed."""
    result = _stored(evaluation, catalog)
    changed = (result, evaluation.therapy_week, evaluation.urgent) != (
        row.result,
        row.therapy_week,
        row.urgent,
    )
    row.result, row.therapy_week, row.urgent = result, evaluation.therapy_week, evaluation.urgent
    row.scores, row.scored_with = result["scores"], scored_with(catalog, user)
    return changed


def reevaluate_after(db: Session, catalog: Catalog, user: User, moment: datetime) -> int:
    """Evaluate again every check-in taken after `moment`, each against all stored before
    it (one was added or removed there); returns how many results changed."""
    assert user.id is not None
    later = repo.checkins_after(db, user.id, moment)
    if not later:
        return 0
    history = everything_before(db, catalog, user, later[0].taken_at)
    return _reevaluate(db, catalog, user, history, later)


def _reevaluate(
    db: Session,
    catalog: Catalog,
    user: User,
    history: list[CheckInRecord],
    rows: Sequence[CheckIn],
) -> int:
    changed = 0
    for row in rows:
        current = CheckInRecord(taken_at=row.taken_at, answers=dict(row.answers))
        evaluation = evaluate_among(catalog, user, history, current)
        changed += _keep(row, evaluation, catalog, user)
        repo.add(db, row, flush=False)
        history.append(CheckInRecord(row.taken_at, current.answers, scores=dict(evaluation.scores)))
    repo.flush(db)
    return changed


# The signs after which the follow-up about support and motivation is offered: the
# client is off course, and these are the usual obstacles (Lambert's support tool).
FOLLOW_UP_AFTER = frozenset({"off_track", "no_progress", "worsening"})


def follow_up_offered(catalog: Catalog, user: User, result: Result) -> list[Item]:
    """The follow-up questions to offer on this result: after an off-course sign, never on
    an urgent result (crisis help comes alone), and only until they are answered."""
    items = catalog.questionnaire.follow_up_items(user.on_medication)
    signs = {sign.id for sign in result.signs}
    answered = any(item.id in result.answers for item in items)
    if result.urgent or answered or not signs & FOLLOW_UP_AFTER:
        return []
    return items


def add_follow_up(
    db: Session, catalog: Catalog, user: User, checkin_id: str, answers: dict[str, int]
) -> Result:
    """Store follow-up answers with a check-in and evaluate it, and every later one, again."""
    assert user.id is not None
    row = stored(db, user, checkin_id)
    quest = catalog.questionnaire
    allowed = {item.id for item in quest.follow_up_items(user.on_medication)}
    checked = quest.check_answers(answers, user.on_medication)
    problems = {key: checked[key] for key in answers if key in checked}
    for key in answers:
        if key not in allowed and key not in problems:
            problems[key] = "Only the follow-up questions can be added to a check-in."
    if not answers:
        problems["answers"] = "No answers were sent."
    if problems:
        raise Invalid(
            "Some answers need another look: " + " ".join(f"{k}: {v}" for k, v in problems.items()),
            fields=problems,
        )
    row.answers = {**row.answers, **answers}
    history = everything_before(db, catalog, user, row.taken_at)
    _reevaluate(db, catalog, user, history, [row, *repo.checkins_after(db, user.id, row.taken_at)])
    return result_of(row)


def delete(db: Session, catalog: Catalog, user: User, checkin_id: str) -> None:
    """Remove one check-in; the later results are evaluated again without it."""
    assert user.id is not None
    row = stored(db, user, checkin_id)
    moment = row.taken_at
    repo.delete_checkin(db, row)
    reevaluate_after(db, catalog, user, moment)
    activity.record(db, user.id, "checkin_deleted", f"taken {moment.date().isoformat()}")


@dataclass(frozen=True)
class Rescored:
    accounts: int
    checkins: int
    changed: int


def rescore_all(db: Session, catalog: Catalog) -> Rescored:
    """Evaluate every stored check-in again under today's rules (after a rules change)."""
    accounts = checkins = changed = 0
    for user in repo.users_with_checkins(db):
        assert user.id is not None
        rows = repo.checkins_since(db, user.id, None)
        changed += _reevaluate(db, catalog, user, [], rows)
        accounts, checkins = accounts + 1, checkins + len(rows)
    return Rescored(accounts, checkins, changed)


def _replay(
    catalog: Catalog, existing: CheckIn, answers: dict[str, int], note: str | None
) -> CheckIn:
    """The stored check-in for a resend; follow-up answers added since don't count as a
    difference (the form that is sent again never had them)."""
    later = {item.id for item in catalog.questionnaire.items if item.stage == "follow_up"}

    def weekly(given: dict[str, int]) -> dict[str, int]:
        return {k: v for k, v in given.items() if k not in later}

    stored = dict(existing.answers)
    same_follow_up = all(stored.get(k) == v for k, v in answers.items() if k in later)
    if weekly(stored) != weekly(answers) or not same_follow_up or (existing.note or None) != note:
        raise Conflict(
            "A check-in with this client_id was already stored with different "
            "answers. Use a new client_id for a new check-in."
        )
    return existing
