"""A long history handed over as its first and recent check-ins gives exactly the result the
whole history gives, or says it can't (IncompleteHistory), never a different result."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import (
    CheckInRecord,
    Evaluation,
    History,
    IncompleteHistory,
    Profile,
    evaluate,
    history_window,
    score,
    split_history,
)
from tests.engine.support import GOOD, UNHEARD, data
from tests.engine.test_properties import answer_sets, profiles

QUESTIONNAIRE, RULES, CRISIS = data()
T0 = datetime(2024, 3, 4, 9, 30, tzinfo=UTC)
TREND_ITEMS = [it.id for it in QUESTIONNAIRE.items if it.domain in ("distress", "progress")]


def run(profile: Profile, history: Any, current: CheckInRecord) -> Evaluation:
    return evaluate(
        questionnaire=QUESTIONNAIRE,
        rules=RULES,
        crisis=CRISIS.for_country(profile.country),
        profile=profile,
        history=history,
        current=current,
    )


def same_or_incomplete(
    profile: Profile, history: list[CheckInRecord], current: CheckInRecord
) -> bool:
    """True when the window was enough (and gave the same result), False when it said not."""
    whole = run(profile, history, current)
    parts = split_history(history, current.taken_at, RULES)
    try:
        windowed = run(profile, parts, current)
    except IncompleteHistory:
        assert parts.gap
        return False
    assert windowed.model_dump_json() == whole.model_dump_json()
    return True


def stored(record: CheckInRecord, profile: Profile) -> CheckInRecord:
    """The record with the scores a stored result keeps (what scoring it again gives)."""
    found = score(QUESTIONNAIRE, record.answers, profile.on_medication, RULES)
    return CheckInRecord(record.taken_at, record.answers, scores=found)


def test_the_window_is_the_baseline_and_the_patterns_weeks() -> None:
    wanted = history_window(RULES)
    assert wanted.first == RULES.timing.baseline_checkins.value == 2
    assert wanted.days == 7 * RULES.patterns.alliance_window.value == 42
    assert wanted.recent >= (
        RULES.patterns.stagnation_window.value + RULES.timing.best_recent_window.value - 1
    )


@pytest.mark.parametrize("started", [date(2014, 1, 1), None])
def test_ten_years_of_weekly_checkins_need_only_their_window(started: date | None) -> None:
    """520 weeks: unheard now and then, stuck for a long stretch, better, then worse again."""
    profile = Profile(therapy_started_on=started, country="GB")
    stuck = {**GOOD, "progress_goals": 1, "progress_daily": 1, "distress_week": 4}
    better = {**GOOD, "progress_goals": 5, "progress_daily": 5, "distress_week": 1}
    weeks = []
    for i in range(520):
        answers = stuck if i < 300 else better if i < 500 else stuck
        if i % 7 == 3 or i > 510:
            answers = {**answers, **{k: v for k, v in UNHEARD.items() if k.startswith("heard")}}
        record = CheckInRecord(T0 + timedelta(days=7 * i, hours=i % 5), answers)
        weeks.append(stored(record, profile) if i % 2 else record)
    for at in (30, 60, 299, 301, 505, 515, 519):
        parts = split_history(weeks[:at], weeks[at].taken_at, RULES)
        assert parts.gap and len(parts.first) + len(parts.recent) < 25
        assert same_or_incomplete(profile, weeks[:at], weeks[at])
    # Re-evaluating an old check-in: later ones in the history don't count.
    assert same_or_incomplete(profile, weeks, weeks[300])


def test_checkins_without_a_trend_domain_make_the_window_say_so() -> None:
    """An imported first week without the distress items: its baseline is further on, in
    check-ins the window leaves out, so the engine asks for the whole history."""
    profile = Profile(therapy_started_on=date(2024, 1, 1))
    partial = {k: v for k, v in GOOD.items() if not k.startswith("distress")}
    weeks = [CheckInRecord(T0 + timedelta(weeks=i), partial if i < 2 else GOOD) for i in range(40)]
    current = CheckInRecord(T0 + timedelta(weeks=40), {**GOOD, "distress_week": 5})
    parts = split_history(weeks, current.taken_at, RULES)
    with pytest.raises(IncompleteHistory):
        run(profile, parts, current)
    assert not same_or_incomplete(profile, weeks, current)


def test_a_history_without_a_gap_is_read_as_it_is() -> None:
    profile = Profile()
    weeks = [CheckInRecord(T0 + timedelta(weeks=i), GOOD) for i in range(8)]
    current = CheckInRecord(T0 + timedelta(weeks=8), UNHEARD)
    parts = split_history(weeks, current.taken_at, RULES)
    assert not parts.gap and len(parts.first) == 8 and not parts.recent
    assert run(profile, parts, current) == run(profile, History(first=weeks), current)


@st.composite
def long_stories(draw: st.DrawFn) -> tuple[Profile, list[CheckInRecord], CheckInRecord]:
    """Long histories: mostly weekly, with bursts (same moment, hours apart), long breaks,
    some weeks without the trend items (partial imports), some with stored scores."""
    profile = draw(profiles)
    moment = T0 + timedelta(hours=draw(st.integers(0, 24 * 300)))
    records = []
    for _ in range(draw(st.integers(15, 90)) + 1):
        answers = draw(answer_sets(profile.on_medication))
        if draw(st.integers(0, 19)) == 0:
            answers = {k: v for k, v in answers.items() if k not in TREND_ITEMS}
        record = CheckInRecord(moment, answers)
        records.append(stored(record, profile) if draw(st.booleans()) else record)
        gap = draw(
            st.sampled_from(["week", "week", "week", "week", "same", "hours", "days", "months"])
        )
        moment += {
            "week": timedelta(days=draw(st.integers(5, 9))),
            "same": timedelta(0),
            "hours": timedelta(hours=draw(st.integers(1, 30))),
            "days": timedelta(days=draw(st.integers(1, 4))),
            "months": timedelta(days=draw(st.integers(40, 200))),
        }[gap]
    return profile, records[:-1], records[-1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_stories())
def test_the_window_gives_the_whole_historys_result_or_asks_for_it(story: Any) -> None:
    profile, history, current = story
    same_or_incomplete(profile, history, current)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_stories(), st.data())
def test_an_old_checkin_evaluated_again_reads_the_same_window(story: Any, data: Any) -> None:
    """As re-evaluation does: the whole history at hand, later check-ins included."""
    profile, history, current = story
    every = [*history, current]
    old = every[data.draw(st.integers(0, len(every) - 1))]
    same_or_incomplete(profile, every, old)
