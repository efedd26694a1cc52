"""The six invariants of PRODUCT.md, checked on generated clients and histories."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import CheckInRecord, Evaluation, Profile, score, therapy_week
from tests.engine.support import (
    GOOD,
    T0,
    UNHEARD,
    data,
    run,
    sign_ids,
    suggestion_ids,
    weekly,
)

QUESTIONNAIRE, RULES, CRISIS = data()
NEGATIVE = {s for s in RULES.wording.signs if s not in ("on_track", "improved")}
ALLIANCE_ITEMS = [it for it in QUESTIONNAIRE.items if it.domain in ("heard", "connection")]
T_START = datetime(2025, 1, 1, tzinfo=UTC)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def answer_sets(draw: st.DrawFn, on_medication: bool) -> dict[str, int]:
    """Any valid answers; half the time tilted toward a fine week, so every sign shows up."""
    fine = draw(st.booleans())
    answers: dict[str, int] = {}
    for item in QUESTIONNAIRE.applicable_items(on_medication):
        if not item.required and not draw(st.booleans()):
            continue
        if fine and item.domain == "safety":
            answers[item.id] = item.min
        elif fine:
            good_end = item.max if item.higher_is == "better" else item.min
            near = draw(st.integers(0, 1))
            answers[item.id] = good_end - near if item.higher_is == "better" else good_end + near
        else:
            answers[item.id] = draw(st.integers(item.min, item.max))
    return answers


profiles = st.builds(
    Profile,
    therapy_started_on=st.one_of(st.none(), st.dates(date(2024, 6, 1), date(2026, 6, 1))),
    on_medication=st.booleans(),
    country=st.sampled_from(["US", "GB", "ie", "AU", "NZ", "CA", "BR", "", "OTHER"]),
)


@st.composite
def stories(
    draw: st.DrawFn, max_history: int = 25
) -> tuple[Profile, list[CheckInRecord], CheckInRecord]:
    """A profile and a history of valid check-ins; the last one is `current`."""
    profile = draw(profiles)
    count = draw(st.integers(0, max_history))
    moment = T_START + timedelta(hours=draw(st.integers(0, 24 * 400)))
    records = []
    for _ in range(count + 1):
        records.append(CheckInRecord(moment, draw(answer_sets(profile.on_medication))))
        moment += timedelta(hours=draw(st.integers(1, 24 * 21)))
    return profile, records[:-1], records[-1]


def evaluate_story(profile: Profile, history: list[CheckInRecord], current: CheckInRecord) -> Any:
    return run([*history, current], profile)


def effective_week(profile: Profile, history: list[CheckInRecord], current: CheckInRecord) -> int:
    origin = profile.therapy_started_on or min(r.taken_at for r in [*history, current]).date()
    return therapy_week(origin, current.taken_at) or 0


def risk(current: CheckInRecord) -> bool:
    return current.answers.get("safety_thoughts", 1) > 1


@SETTINGS
@given(st.booleans().flatmap(lambda med: st.tuples(st.just(med), answer_sets(med))))
def test_any_valid_answer_set_is_scored(case: tuple[bool, dict[str, int]]) -> None:
    on_medication, answers = case
    assert QUESTIONNAIRE.check_answers(answers, on_medication) == {}
    scores = score(QUESTIONNAIRE, answers, on_medication, RULES)
    assert all(0 <= s.value <= 100 for s in scores.values())
    assert {"heard", "connection", "progress", "distress", "safety"} <= set(scores)
    assert ("side_effects" in scores) == on_medication


@SETTINGS
@given(stories())
def test_invariants_hold_for_any_history(story: Any) -> None:
    profile, history, current = story
    result: Evaluation = evaluate_story(profile, history, current)
    signs, steps = sign_ids(result), suggestion_ids(result)
    every = [*history, current]
    span = (current.taken_at - history[0].taken_at) if history else timedelta(0)

    # 1. Safety first
    assert result.urgent == risk(current) == ("self_harm_risk" in signs)
    if risk(current):
        assert signs[0] == "self_harm_risk" and result.signs[0].level == "urgent"
        assert steps[0] == "urgent_help" and "pause" not in steps
        urgent = result.suggestions[0]
        entry = CRISIS.for_country(profile.country)
        assert urgent.steps[: len(entry.sentences())] == entry.sentences()
        assert any("therapist now" in step for step in urgent.steps)
    else:
        assert "urgent_help" not in steps
    levels = [s.level for s in result.signs]
    assert levels == sorted(levels, key=["urgent", "concern", "watch", "info"].index)
    # 2. One bad week is not a verdict
    if "change_therapist" in steps:
        assert len(every) >= 3 and span >= timedelta(days=14)
    # 4. Progress needs time
    if "no_progress" in signs:
        assert effective_week(profile, history, current) >= 6
    # 5. Medication only when relevant
    if not profile.on_medication:
        assert "side_effects" not in signs and "medication_review" not in steps
        assert "side_effects" not in result.scores
    # 6. All well means say so
    negative = NEGATIVE & set(signs)
    assert ("on_track" in signs) == (not negative)
    if not negative:
        assert signs in (["on_track"], ["on_track", "improved"]) and steps == ["keep_going"]
        assert {s.level for s in result.signs} == {"info"}
    else:
        assert "keep_going" not in steps
    assert len(steps) == len(set(steps)) and len(signs) == len(set(signs))
    assert all(s.because for s in result.signs)
    assert all(s.level == "info" for s in result.signs if s.id == "improved")
    week = effective_week(profile, history, current)
    # 7. Sessions that hurt are heard
    if current.answers.get("distress_after") == 5:
        assert "session_harm" in signs
    if "session_harm" in signs:
        assert "raise_concerns" in steps and "on_track" not in signs
    # 8. Pause only when it fits
    if "pause" in steps:
        assert current.answers.get("life_events_source") in (1, 2)
        assert week > 6 and not {"self_harm_risk", "hopelessness"} & set(signs)
        levels_of = {s.id: s.level for s in result.signs}
        assert "concern" in (levels_of.get("worsening"), levels_of.get("session_harm"))
    # 1 and 3: never "give it time" beside a risk answer
    if risk(current):
        words = " ".join(
            [*(b for s in result.signs for b in s.because)]
            + [t for s in result.suggestions for t in (s.title, s.why, *s.steps)]
        )
        assert "first weeks" not in words and "Give it time" not in words
    # 9. No early-weeks excuse without a start date
    if profile.therapy_started_on is None:
        assert result.therapy_week is None
        if "worsening" in signs:
            assert "adjust_expectations" not in steps
            assert "first weeks" not in " ".join(result.signs[signs.index("worsening")].because)
    # 12. The alliance is read like an alliance measure
    for item in ALLIANCE_ITEMS:
        if current.answers.get(item.id, 5) <= 3:
            sign = "not_heard" if item.domain == "heard" else "weak_connection"
            assert sign in signs and result.signs[signs.index(sign)].level in ("watch", "concern")
    if "change_therapist" in steps and not {"not_heard", "weak_connection"} & set(signs):
        for other in ("raise_concerns", "try_other_approach"):
            if other in steps:
                assert steps.index(other) < steps.index("change_therapist")
    # 13. Early warning is not a verdict
    if "off_track" in signs:
        assert len(every) >= 3
        if negative == {"off_track"}:
            assert not {"change_therapist", "pause"} & set(steps)


@SETTINGS
@given(stories(max_history=0))
def test_a_single_checkin_never_suggests_another_therapist(story: Any) -> None:
    profile, history, current = story
    assert "change_therapist" not in suggestion_ids(evaluate_story(profile, history, current))


@SETTINGS
@given(stories(max_history=12), st.randoms(use_true_random=False))
def test_history_order_does_not_matter(story: Any, rng: random.Random) -> None:
    profile, history, current = story
    shuffled = list(history)
    rng.shuffle(shuffled)
    later = CheckInRecord(current.taken_at + timedelta(days=3), current.answers)
    # later check-ins in the history are ignored (rescoring an old check-in)
    assert evaluate_story(profile, [*shuffled, later], current) == evaluate_story(
        profile, history, current
    )


@SETTINGS
@given(stories(max_history=6), st.data())
def test_risk_answer_always_urgent(story: Any, drawn: st.DataObject) -> None:
    profile, history, current = story
    answers = {**current.answers, "safety_thoughts": drawn.draw(st.integers(2, 5))}
    result = evaluate_story(profile, history, CheckInRecord(current.taken_at, answers))
    assert result.urgent and suggestion_ids(result)[0] == "urgent_help"
    assert result.signs[0].id == "self_harm_risk" and result.signs[0].level == "urgent"
    assert "pause" not in suggestion_ids(result)


@SETTINGS
@given(stories(max_history=6), st.data())
def test_four_weekly_unheard_checkins_bring_change_therapist(
    story: Any, drawn: st.DataObject
) -> None:
    profile, history, current = story
    moment = current.taken_at
    recent = []
    for _ in range(4):
        answers = drawn.draw(answer_sets(profile.on_medication))
        worst = drawn.draw(st.sampled_from(["heard_listened", "connection_trust"]))
        recent.append(CheckInRecord(moment, {**answers, worst: 1}))
        moment += timedelta(hours=drawn.draw(st.integers(6 * 24, 8 * 24)))
    result = evaluate_story(profile, [*history, *recent[:-1]], recent[-1])
    assert "change_therapist" in suggestion_ids(result)


@SETTINGS
@given(st.data())
def test_flat_progress_is_named_by_week_12(drawn: st.DataObject) -> None:
    on_medication = drawn.draw(st.booleans())
    profile = Profile(therapy_started_on=date(2025, 1, 6), on_medication=on_medication)
    weeks = drawn.draw(st.integers(12, 30))
    outcome = {
        "progress_goals": drawn.draw(st.integers(1, 3)),
        "progress_daily": drawn.draw(st.integers(1, 3)),
        "distress_week": drawn.draw(st.integers(1, 5)),
        "distress_after": drawn.draw(st.integers(1, 5)),
    }
    records = [
        CheckInRecord(
            datetime(2025, 1, 7, 12, tzinfo=UTC) + timedelta(days=7 * i),
            {**drawn.draw(answer_sets(on_medication)), **outcome},
        )
        for i in range(drawn.draw(st.integers(1, weeks)))
    ]
    last = CheckInRecord(
        datetime(2025, 1, 7, 12, tzinfo=UTC) + timedelta(days=7 * (weeks - 1)),
        {**drawn.draw(answer_sets(on_medication)), **outcome},
    )
    history = [r for r in records if r.taken_at < last.taken_at]
    result = evaluate_story(profile, history, last)
    assert result.therapy_week == weeks
    assert "no_progress" in sign_ids(result)


@SETTINGS
@given(stories(max_history=5), st.data())
def test_early_worsening_with_good_connection(story: Any, drawn: st.DataObject) -> None:
    """Invariant 3: raise concerns and adjust expectations; no new therapist, no break."""
    profile, _, _ = story
    profile = Profile(
        therapy_started_on=date(2025, 1, 6),
        on_medication=profile.on_medication,
        country=profile.country,
    )
    calm = {"distress_week": 1, "distress_after": 1, "safety_thoughts": 1}
    alliance = {"heard_listened": 5, "heard_respected": 4, "heard_unjudged": 5}
    alliance |= {"connection_trust": 4, "connection_goals": 4, "connection_way": 5}
    start = datetime(2025, 1, 7, 9, tzinfo=UTC)
    before = {**drawn.draw(answer_sets(profile.on_medication)), **calm, **alliance}
    first = CheckInRecord(start, before)
    days = drawn.draw(st.integers(7, 40))
    rough = {**drawn.draw(answer_sets(profile.on_medication)), **alliance}
    rough |= {"distress_week": drawn.draw(st.integers(4, 5)), "distress_after": 5}
    rough |= {"safety_thoughts": 1, "hope_help": 4, "hope_whole_person": 4}
    current = CheckInRecord(start + timedelta(days=days), rough)
    result = evaluate_story(profile, [first], current)
    steps = suggestion_ids(result)
    assert "worsening" in sign_ids(result)
    assert {"raise_concerns", "adjust_expectations"} <= set(steps)
    assert not {"change_therapist", "pause"} & set(steps)


ITEM_IDS = [it.id for it in QUESTIONNAIRE.items]
junk_answers = st.dictionaries(
    st.one_of(st.sampled_from(ITEM_IDS), st.text(max_size=8)),
    st.integers(-(10**6), 10**6),
    max_size=20,
)
moments = st.one_of(
    st.datetimes(datetime(2024, 1, 1), datetime(2027, 1, 1)),  # naive: read as UTC
    st.datetimes(datetime(2024, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
)


@SETTINGS
@given(profiles, st.lists(st.tuples(moments, junk_answers), max_size=10), moments, junk_answers)
def test_evaluate_never_raises_even_on_stored_junk(
    profile: Profile,
    history: list[tuple[datetime, dict[str, int]]],
    taken_at: datetime,
    answers: dict[str, int],
) -> None:
    """Old rows (earlier questionnaire versions, imports) must never crash a result page."""
    records = [CheckInRecord(moment, found) for moment, found in history]
    result = run([*records, CheckInRecord(taken_at, answers)], profile)
    assert result.signs and result.suggestions
    assert result.urgent == (answers.get("safety_thoughts", 1) > 1)


# Invariant 14: every stored check-in counts, whatever order or moment it was stored in.


@SETTINGS
@given(stories(max_history=12), st.data())
def test_an_older_check_in_added_later_counts_as_if_it_had_always_been_there(
    story: tuple[Profile, list[CheckInRecord], CheckInRecord], draw: st.DataObject
) -> None:
    """Re-evaluating an earlier check-in with everything stored since (later ones
    included, as a rescore hands them over) equals evaluating it with its past alone."""
    profile, history, current = story
    everything = [*history, current]
    at = draw.draw(st.integers(0, len(everything) - 1))
    target = everything[at]
    others = [r for i, r in enumerate(everything) if i != at]
    assert run([*others, target], profile) == run([*everything[:at], target], profile)


@SETTINGS
@given(st.data())
def test_a_fall_back_after_improving_is_worsening(drawn: st.DataObject) -> None:
    """Invariant 10: compared with the best recent level too, not only with the start."""
    start = drawn.draw(st.integers(4, 5))
    better = drawn.draw(st.integers(1, start - 2))
    good_weeks = drawn.draw(st.integers(2, 6))
    week = {**GOOD, "progress_goals": 3, "progress_daily": 3}
    answers = [{**week, "distress_week": start}] * 2
    answers += [{**week, "distress_week": better}] * good_weeks
    answers.append({**week, "distress_week": start})
    result = run(weekly(answers))
    signs = sign_ids(result)
    assert "worsening" in signs and "on_track" not in signs
    assert "no_progress" not in signs  # worse after improving, not stuck
    because = " ".join(result.signs[signs.index("worsening")].because)
    assert "best recent weeks" in because


@SETTINGS
@given(st.data())
def test_a_good_or_missed_week_does_not_reset_a_pattern(drawn: st.DataObject) -> None:
    """Invariant 11: unheard in 4 of the last 6 weekly check-ins, the current one among
    them, brings another therapist wherever the good and missed weeks fall."""
    unheard_earlier = set(
        drawn.draw(st.lists(st.integers(0, 4), min_size=3, max_size=3, unique=True))
    )
    moment, records = T0, []
    for index in range(6):
        answers = UNHEARD if index in unheard_earlier or index == 5 else GOOD
        records.append(CheckInRecord(moment, answers))
        moment += timedelta(
            days=drawn.draw(st.sampled_from([7, 7, 14]))
        )  # now and then a missed week
    result = run(records, Profile(therapy_started_on=None))
    assert "change_therapist" in suggestion_ids(result)
    assert "not_heard" in sign_ids(result)
