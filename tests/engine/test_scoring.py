"""Scoring, bands, therapy weeks and reliable change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.engine import Questionnaire, RuleSet, score, therapy_week
from app.engine.scoring import round_half_up
from app.engine.trends import Course, reliably_better
from tests.engine.support import GOOD


def best(questionnaire: Questionnaire, on_medication: bool = True) -> dict[str, int]:
    return {
        it.id: it.max if it.higher_is == "better" else it.min
        for it in questionnaire.applicable_items(on_medication)
    }


def test_best_answers_score_best_and_good(questionnaire: Questionnaire, rules: RuleSet) -> None:
    scores = score(questionnaire, best(questionnaire), True, rules)
    assert set(scores) == {
        "heard", "connection", "progress", "distress", "session_effect", "coping",
        "hope", "support", "motivation", "side_effects", "safety", "life_events",
    }  # fmt: skip
    assert scores["heard"].value == 100 and scores["heard"].higher_is == "better"
    assert scores["distress"].value == 0 and scores["distress"].higher_is == "worse"
    assert all(s.band == "good" for s in scores.values())


def test_value_is_mean_of_items_rounded_half_up(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    # progress: (4-1)/4*100 = 75 and (2-1)/4*100 = 25 -> 50
    scores = score(questionnaire, {**GOOD, "progress_goals": 4, "progress_daily": 2}, False, rules)
    assert scores["progress"].value == 50
    # connection: 25, 75, 100 -> 66.67 -> 67; heard: 25, 100, 100 -> 75
    answers = {**GOOD, "connection_trust": 2, "connection_way": 5, "heard_listened": 2}
    scores = score(questionnaire, answers, False, rules)
    assert scores["connection"].value == 67
    assert scores["heard"].value == 75
    # distress is one item now; how sessions leave the client is scored on its own
    scores = score(questionnaire, {**GOOD, "distress_week": 4, "distress_after": 5}, False, rules)
    assert scores["distress"].value == 75 and scores["distress"].band == "concern"
    assert scores["session_effect"].value == 100 and scores["session_effect"].band == "concern"


def test_round_half_up() -> None:
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, 62.5, 37.49)] == [1, 2, 3, 63, 37]


def test_only_answered_domains_appear(questionnaire: Questionnaire, rules: RuleSet) -> None:
    scores = score(questionnaire, GOOD, False, rules)
    assert "life_events" not in scores and "side_effects" not in scores
    scores = score(questionnaire, {**GOOD, "life_events_source": 5}, False, rules)
    assert scores["life_events"].value == 100


def test_side_effects_scored_only_on_medication(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    answers = {**GOOD, "side_effects_burden": 5}
    assert "side_effects" not in score(questionnaire, answers, False, rules)
    on_med = score(questionnaire, answers, True, rules)
    assert on_med["side_effects"].value == 100 and on_med["side_effects"].band == "concern"


def test_unknown_and_invalid_answers_are_ignored(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    answers = {**GOOD, "nope": 3, "heard_listened": 9, "heard_respected": True, "heard_unjudged": 0}
    scores = score(questionnaire, answers, False, rules)
    assert "heard" not in scores


@pytest.mark.parametrize(
    ("heard", "band"),
    [
        ((5, 5, 5), "good"),
        ((4, 4, 4), "good"),
        ((3, 4, 4), "watch"),
        ((3, 3, 3), "watch"),
        ((2, 3, 3), "concern"),
    ],
)
def test_heard_bands(
    questionnaire: Questionnaire, rules: RuleSet, heard: tuple[int, int, int], band: str
) -> None:
    listened, respected, unjudged = heard
    answers = {
        **GOOD,
        "heard_listened": listened,
        "heard_respected": respected,
        "heard_unjudged": unjudged,
    }
    assert score(questionnaire, answers, False, rules)["heard"].band == band


def test_one_worst_answer_flags_the_domain(questionnaire: Questionnaire, rules: RuleSet) -> None:
    # connection 0, 75, 75 -> 50 would be "watch"; the single worst answer makes it a concern
    scores = score(questionnaire, {**GOOD, "connection_trust": 1}, False, rules)
    assert scores["connection"].value == 50
    assert scores["connection"].band == "concern"


@pytest.mark.parametrize("answer", [2, 3, 4, 5])
def test_any_safety_answer_above_minimum_is_concern(
    questionnaire: Questionnaire, rules: RuleSet, answer: int
) -> None:
    scores = score(questionnaire, {**GOOD, "safety_thoughts": answer}, False, rules)
    assert scores["safety"].band == "concern"
    assert score(questionnaire, GOOD, False, rules)["safety"].band == "good"


def test_score_without_rules_uses_bundled_rules(
    questionnaire: Questionnaire, rules: RuleSet
) -> None:
    assert score(questionnaire, GOOD, False) == score(questionnaire, GOOD, False, rules)


START = date(2026, 1, 5)


@pytest.mark.parametrize(
    ("moment", "week"),
    [
        (datetime(2026, 1, 5, 0, 0, tzinfo=UTC), 1),
        (datetime(2026, 1, 11, 23, 59, tzinfo=UTC), 1),
        (datetime(2026, 1, 12, 0, 0, tzinfo=UTC), 2),
        (datetime(2026, 3, 29, 12, 0, tzinfo=UTC), 12),
        (datetime(2026, 1, 4, 23, 0, tzinfo=UTC), 0),  # before the start: week 0
        (datetime(2025, 6, 1, tzinfo=UTC), 0),
        (datetime(2026, 1, 12, 0, 30), 2),  # naive times are read as UTC
        # 00:30 on the 12th in UTC+2 is still the 11th in UTC
        (datetime(2026, 1, 12, 0, 30, tzinfo=timezone(timedelta(hours=2))), 1),
    ],
)
def test_therapy_week(moment: datetime, week: int) -> None:
    assert therapy_week(START, moment) == week


def test_therapy_week_unknown_start() -> None:
    assert therapy_week(None, datetime(2026, 1, 6, tzinfo=UTC)) is None


def test_reliable_change_threshold_follows_jacobson_truax(rules: RuleSet) -> None:
    # 1.96 * 20 * sqrt(2) * sqrt(1 - 0.7) = 30.36 -> "more than 30 points"
    assert rules.reliable_change.threshold() == 30
    assert rules.rc_points == 30


def _course(
    start: float, now: int, best: float | None = None, recent: float | None = None
) -> Course:
    return Course("distress", "worse", start, 2, best, now, now if recent is None else recent)


@pytest.mark.parametrize(
    ("start", "now", "better"), [(25, 55, False), (25, 56, True), (60, 30, False), (60, 91, True)]
)
def test_reliable_improvement_needs_more_than_the_threshold(
    rules: RuleSet, start: int, now: int, better: bool
) -> None:
    assert reliably_better(_course(start, now), rules) is better


def test_course_reads_wellness_back_on_the_domain_scale() -> None:
    # distress runs "higher is worse": wellness 25 is a distress score of 75
    assert _course(25, 25).shown(25) == 75
    assert Course("progress", "better", 25, 1, None, 25, 25).shown(25) == 25
