"""Answer sets and a short evaluate() call shared by the engine tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from app.engine import (
    DATA_DIR,
    CheckInRecord,
    CrisisDirectory,
    Evaluation,
    Profile,
    Questionnaire,
    RuleSet,
    evaluate,
    load_crisis,
    load_questionnaire,
    load_rules,
)

START = date(2026, 1, 5)
T0 = datetime(2026, 1, 6, 18, 0, tzinfo=UTC)  # therapy week 1 when therapy starts on START

# A week where everything is fine: heard, connected, middling progress, low distress.
GOOD: dict[str, int] = {
    "heard_listened": 5,
    "heard_respected": 5,
    "heard_unjudged": 5,
    "connection_trust": 4,
    "connection_goals": 4,
    "connection_way": 4,
    "progress_goals": 3,
    "progress_daily": 3,
    "distress_week": 3,
    "distress_after": 2,
    "coping_own": 4,
    "hope_help": 4,
    "hope_whole_person": 4,
    "safety_thoughts": 1,
}
UNHEARD = {**GOOD, "heard_listened": 2, "heard_respected": 2, "heard_unjudged": 2}


@lru_cache(maxsize=1)
def data() -> tuple[Questionnaire, RuleSet, CrisisDirectory]:
    return (
        load_questionnaire(DATA_DIR / "weekly.yaml"),
        load_rules(DATA_DIR / "rules.yaml"),
        load_crisis(DATA_DIR / "crisis_resources.yaml"),
    )


def weekly(answer_sets: Sequence[dict[str, int]], start: datetime = T0) -> list[CheckInRecord]:
    return [
        CheckInRecord(taken_at=start + timedelta(days=7 * i), answers=answers)
        for i, answers in enumerate(answer_sets)
    ]


def run(records: Sequence[CheckInRecord], profile: Profile | None = None) -> Evaluation:
    """Evaluate the last record with the others as history."""
    questionnaire, rules, crisis = data()
    profile = profile or Profile(therapy_started_on=START)
    return evaluate(
        questionnaire=questionnaire,
        rules=rules,
        crisis=crisis.for_country(profile.country),
        profile=profile,
        history=list(records[:-1]),
        current=records[-1],
    )


def sign_ids(result: Evaluation) -> list[str]:
    return [s.id for s in result.signs]


def suggestion_ids(result: Evaluation) -> list[str]:
    return [s.id for s in result.suggestions]
