"""The client's start: one number for the signs' "when you started" and every page."""

from __future__ import annotations

import pytest

from app.engine import Profile, RuleSet, start_value
from app.engine.trends import course, timeline
from tests.engine.support import GOOD, START, data, run, weekly


@pytest.mark.parametrize(
    ("values", "higher_is", "start"),
    [
        ([40], "better", 40),
        ([50, 75], "better", 63),  # 62.5 rounds up
        ([25, 50], "worse", 37),  # wellness 75 and 50: 62.5 rounds up to 63, shown as 37
        ([0, 25], "worse", 12),  # wellness 87.5 rounds to 88, shown as 12
        ([25, 50, 100], "worse", 37),  # only the first check-ins make the start
    ],
)
def test_start_is_the_mean_of_the_first_checkins_rounded_as_wellness(
    rules: RuleSet, values: list[int], higher_is: str, start: int
) -> None:
    assert rules.timing.baseline_checkins.value == 2
    assert start_value(values, higher_is, rules) == start  # type: ignore[arg-type]


def test_the_course_shows_the_same_start() -> None:
    questionnaire, rules, _ = data()
    records = weekly(
        [{**GOOD, "distress_week": 2}, {**GOOD, "distress_week": 3}, {**GOOD, "distress_week": 5}]
    )
    points = timeline(
        questionnaire, rules, Profile(therapy_started_on=START), records[:-1], records[-1]
    )
    found = course(points, "distress", rules)
    assert found is not None
    assert found.shown(found.start) == start_value([25, 50], "worse", rules) == 37


def test_the_worsening_sign_quotes_that_start() -> None:
    result = run(
        weekly(
            [
                {**GOOD, "distress_week": 2},
                {**GOOD, "distress_week": 3},
                {**GOOD, "distress_week": 5},
            ]
        )
    )
    worsening = next(s for s in result.signs if s.id == "worsening")
    assert any("when you started (37 then, 100 now" in b for b in worsening.because)
