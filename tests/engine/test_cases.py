"""Golden scenarios: tests/engine/cases/*.yaml, each a client's story -> expected result."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.engine import CheckInRecord, Evaluation, Level, Profile, SignId, SuggestionId, evaluate
from tests.engine.support import data

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProfileSpec(_Spec):
    therapy_started_on: date | None
    on_medication: bool = False
    country: str = "US"


class CheckInSpec(_Spec):
    taken_at: datetime
    answers: dict[str, int] = Field(default_factory=dict)
    repeat: int = Field(default=1, ge=1)  # the same answers, `repeat` times
    every_days: float = 7
    skip: list[str] = Field(default_factory=list)  # base items left unanswered this time


class Expect(_Spec):
    therapy_week: int | Literal["unknown"] | None = None  # None: not checked
    urgent: bool | None = None
    signs: list[SignId] = Field(default_factory=list)
    absent_signs: list[SignId] = Field(default_factory=list)
    only_signs: list[SignId] | None = None
    first_suggestion: SuggestionId | None = None
    suggestions: list[SuggestionId] = Field(default_factory=list)
    absent_suggestions: list[SuggestionId] = Field(default_factory=list)
    only_suggestions: list[SuggestionId] | None = None  # exactly these, in any order
    # [a, b]: whenever b is suggested, a is suggested too and comes before it
    order_before: list[tuple[SuggestionId, SuggestionId]] = Field(default_factory=list)
    levels: dict[SignId, Level] = Field(default_factory=dict)
    because_mentions: dict[SignId, list[str]] = Field(default_factory=dict)
    suggestion_mentions: dict[SuggestionId, list[str]] = Field(default_factory=dict)
    # phrases that must (not) appear anywhere in the result: every because, why and step
    mentions: list[str] = Field(default_factory=list)
    absent_mentions: list[str] = Field(default_factory=list)


class Case(_Spec):
    name: str
    story: str
    profile: ProfileSpec
    base: dict[str, int]
    checkins: list[CheckInSpec] = Field(min_length=1)
    expect: Expect

    def records(self) -> list[CheckInRecord]:
        out = []
        for spec in self.checkins:
            for n in range(spec.repeat):
                answers = {**self.base, **spec.answers}
                for item_id in spec.skip:
                    del answers[item_id]  # a typo fails loudly
                out.append(
                    CheckInRecord(
                        taken_at=spec.taken_at + timedelta(days=spec.every_days * n),
                        answers=answers,
                    )
                )
        return out


def load_case(path: Path) -> Case:
    return Case.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def run_case(case: Case) -> Evaluation:
    questionnaire, rules, crisis = data()
    profile = Profile(**case.profile.model_dump())
    records = case.records()
    for record in records:  # golden inputs must be answers the API would accept
        assert questionnaire.check_answers(record.answers, profile.on_medication) == {}
    return evaluate(
        questionnaire=questionnaire,
        rules=rules,
        crisis=crisis.for_country(profile.country),
        profile=profile,
        history=records[:-1],
        current=records[-1],
    )


def all_text(result: Evaluation) -> str:
    """Every sentence the client reads in a result, lower-cased."""
    parts = [line for sign in result.signs for line in sign.because]
    for found in result.suggestions:
        parts += [found.why, *found.steps]
    return " ".join(parts).lower()


def test_there_are_enough_golden_cases() -> None:
    assert len(CASES) >= 50


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(path: Path) -> None:
    case = load_case(path)
    result = run_case(case)
    expect = case.expect
    signs = [s.id for s in result.signs]
    steps = [s.id for s in result.suggestions]
    summary = f"{case.name}: signs={signs} suggestions={steps}"
    if expect.therapy_week is not None:
        wanted = None if expect.therapy_week == "unknown" else expect.therapy_week
        assert result.therapy_week == wanted, summary
    if expect.urgent is not None:
        assert result.urgent is expect.urgent, summary
    assert set(expect.signs) <= set(signs), summary
    assert not set(expect.absent_signs) & set(signs), summary
    if expect.only_signs is not None:
        assert sorted(signs) == sorted(expect.only_signs), summary
    if expect.first_suggestion is not None:
        assert steps[:1] == [expect.first_suggestion], summary
    assert set(expect.suggestions) <= set(steps), summary
    assert not set(expect.absent_suggestions) & set(steps), summary
    if expect.only_suggestions is not None:
        assert sorted(steps) == sorted(expect.only_suggestions), summary
    for first, then in expect.order_before:
        if then in steps:
            assert first in steps[: steps.index(then)], f"{summary}: {first} not before {then}"
    for sign_id, level in expect.levels.items():
        got = next((s.level for s in result.signs if s.id == sign_id), None)
        assert got == level, f"{summary}: {sign_id} level {got!r}, expected {level!r}"
    for sign_id, phrases in expect.because_mentions.items():
        text = " ".join(next(s for s in result.signs if s.id == sign_id).because).lower()
        for phrase in phrases:
            assert phrase.lower() in text, f"{summary}: {sign_id} because lacks {phrase!r}"
    for sid, phrases in expect.suggestion_mentions.items():
        found = next(s for s in result.suggestions if s.id == sid)
        text = " ".join([found.why, *found.steps]).lower()
        for phrase in phrases:
            assert phrase.lower() in text, f"{summary}: {sid} lacks {phrase!r}"
    text = all_text(result)
    for phrase in expect.mentions:
        assert phrase.lower() in text, f"{summary}: the result never says {phrase!r}"
    for phrase in expect.absent_mentions:
        assert phrase.lower() not in text, f"{summary}: the result says {phrase!r}"
