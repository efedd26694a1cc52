"""Evaluating a check-in against the client's earlier ones, reading no more than the rules do.

A submit reads the window of the history the rules look at (app.engine.history: the first
check-ins and the recent ones) in one query whose cost doesn't grow with the history, and
the whole history only when that window turns out not to be enough. Earlier check-ins come
with the domain scores stored with their results when today's rules and questionnaire made
them for this profile (`scored_with`); the others (imported ones, or after a rules change)
are scored again from their answers by the engine. Either way the result is the one that
scoring every earlier check-in again would give.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType

from sqlmodel import Session

from app import repositories as repo
from app.engine import (
    CheckInRecord,
    DomainScore,
    Evaluation,
    History,
    IncompleteHistory,
    Profile,
    evaluate,
    history_window,
    split_history,
)
from app.engine.scoring import as_utc
from app.models import User
from app.services.catalog import Catalog


def profile_of(user: User) -> Profile:
    return Profile(
        therapy_started_on=user.therapy_started_on,
        on_medication=user.on_medication,
        country=user.country,
    )


def scored_with(catalog: Catalog, user: User) -> str:
    """What stored domain scores depend on: the rules' bands, the items' domains, and
    whether the medication items were asked (a domain's score counts only those asked)."""
    quest = catalog.questionnaire
    made = f"rules {catalog.rules.version}, {quest.id} {quest.version}"
    return f"{made}, on medication" if user.on_medication else made


def evaluate_new(
    db: Session, catalog: Catalog, user: User, current: CheckInRecord
) -> tuple[Evaluation, bool]:
    """Evaluate a check-in about to be stored; also whether any stored one is later."""
    assert user.id is not None
    moment = as_utc(current.taken_at)
    wanted = history_window(catalog.rules)
    found = repo.history_window(
        db, user.id, moment, first=wanted.first, recent=wanted.recent, days=wanted.days
    )
    history = History(
        first=records(catalog, user, found.first),
        recent=records(catalog, user, found.recent),
        gap=found.gap,
    )
    try:
        return evaluate_with(catalog, user, history, current), found.later
    except IncompleteHistory:
        every = everything_before(db, catalog, user, moment)
        return evaluate_with(catalog, user, every, current), found.later


def evaluate_among(
    catalog: Catalog, user: User, history: Sequence[CheckInRecord], current: CheckInRecord
) -> Evaluation:
    """Evaluate a stored check-in again with the whole history at hand (re-evaluations):
    the same window a submit reads, else all of it."""
    try:
        window = split_history(history, as_utc(current.taken_at), catalog.rules)
        return evaluate_with(catalog, user, window, current)
    except IncompleteHistory:
        return evaluate_with(catalog, user, history, current)


def evaluate_with(
    catalog: Catalog,
    user: User,
    history: Sequence[CheckInRecord] | History,
    current: CheckInRecord,
) -> Evaluation:
    return evaluate(
        questionnaire=catalog.questionnaire,
        rules=catalog.rules,
        crisis=catalog.crisis.for_country(user.country),
        profile=profile_of(user),
        history=history,
        current=current,
    )


def everything_before(
    db: Session, catalog: Catalog, user: User, before: datetime
) -> list[CheckInRecord]:
    """Every check-in stored before `before`, oldest first."""
    assert user.id is not None
    return records(catalog, user, repo.history_before(db, user.id, before))


def records(catalog: Catalog, user: User, rows: Sequence[repo.Earlier]) -> list[CheckInRecord]:
    """Earlier check-ins as the engine reads them, with their stored scores when valid."""
    current = scored_with(catalog, user)
    return [
        CheckInRecord(
            taken_at=taken,
            answers=_answers(answers),
            scores=_scores(scores) if scores is not None and version == current else None,
        )
        for taken, answers, scores, version in rows
    ]


# Decoded once per distinct JSON text, read-only: an account's next check-in reads mostly
# the same earlier rows again (its window moves on by one). A few MB at most.
@lru_cache(maxsize=2048)
def _answers(stored: str) -> Mapping[str, int]:
    return MappingProxyType(json.loads(stored))


@lru_cache(maxsize=2048)
def _scores(stored: str) -> Mapping[str, DomainScore] | None:
    found = json.loads(stored)  # JSON null when none were stored: scored again
    if found is None:
        return None
    return MappingProxyType({domain: _score(**value) for domain, value in found.items()})


@lru_cache(maxsize=1024)  # at most 101 values x 2 directions x 3 bands
def _score(value: int, higher_is: str, band: str) -> DomainScore:
    return DomainScore.model_validate({"value": value, "higher_is": higher_is, "band": band})
