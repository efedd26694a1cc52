"""The engine's entry point: one check-in in, signs and next steps out."""

from __future__ import annotations

from collections.abc import Sequence

from app.engine.context import Context
from app.engine.crisis import CrisisEntry
from app.engine.history import History, check_complete
from app.engine.questionnaire import Questionnaire
from app.engine.rules import RuleSet
from app.engine.scoring import as_utc, therapy_week
from app.engine.signs import find_signs
from app.engine.suggestions import suggest
from app.engine.trends import timeline
from app.engine.types import CheckInRecord, Evaluation, Profile


def evaluate(
    *,
    questionnaire: Questionnaire,
    rules: RuleSet,
    crisis: CrisisEntry,
    profile: Profile,
    history: Sequence[CheckInRecord] | History,
    current: CheckInRecord,
) -> Evaluation:
    """Score `current`, compare it with the client's earlier check-ins, say what to do.

    `history` may come in any order and may include later check-ins (for rescoring an old
    one): only those strictly before `current.taken_at` count. Pure and deterministic.
    A History with a gap gives the same result as the whole history would, or raises
    IncompleteHistory when its parts don't hold all the rules read (app.engine.history).
    """
    if isinstance(history, History):
        points = timeline(questionnaire, rules, profile, history.records, current)
        if history.gap:
            now = as_utc(current.taken_at)
            check_complete(points, sum(as_utc(r.taken_at) < now for r in history.first), rules)
    else:
        points = timeline(questionnaire, rules, profile, history, current)
    ctx = Context(
        questionnaire=questionnaire, rules=rules, crisis=crisis, profile=profile, points=points
    )
    signs = find_signs(ctx)
    return Evaluation(
        therapy_week=therapy_week(profile.therapy_started_on, current.taken_at),
        scores=ctx.current.scores,
        signs=signs,
        suggestions=suggest(ctx, signs),
        urgent=any(sign.level == "urgent" for sign in signs),
    )
