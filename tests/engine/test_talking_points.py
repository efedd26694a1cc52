"""The talking-points wording: every sign in the client's voice, validated like the rules."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from app.engine import SIGN_IDS, load_rules
from app.engine.talking import TalkingPoints, load_talking_points

DATA = Path(__file__).resolve().parents[2] / "questionnaires"
RAW: dict[str, Any] = yaml.safe_load((DATA / "talking_points.yaml").read_text())


def _with(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    change(data)
    return data


def test_the_file_covers_every_sign_and_its_follow_ups() -> None:
    book = load_talking_points(DATA / "talking_points.yaml")
    assert set(book.talking_points) == set(SIGN_IDS)
    book.check_follow_ups(load_rules(DATA / "rules.yaml").follow_ups.value)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(extra=1),
        lambda d: d["talking_points"]["not_heard"].update(because="x"),
        lambda d: d["talking_points"].pop("worsening"),
        lambda d: d["talking_points"]["not_heard"]["ask"].update(call_the_police="I will do it."),
        lambda d: d["talking_points"]["not_heard"]["ask"].clear(),
        lambda d: d["talking_points"]["not_heard"].update(noticed="You didn't feel heard."),
        lambda d: d["talking_points"]["dependency"]["ask"].update(
            raise_concerns="Your therapist should help you cope."
        ),
    ],
    ids=["extra-key", "extra-sign-key", "missing-sign", "unknown-step", "no-asks", "you", "your"],
)
def test_bad_wording_is_refused(change: Any) -> None:
    with pytest.raises(ValidationError):
        TalkingPoints.model_validate(_with(change))


def test_a_follow_up_without_a_line_is_refused() -> None:
    data = _with(lambda d: d["talking_points"]["side_effects"]["ask"].clear())
    data["talking_points"]["side_effects"]["ask"]["raise_concerns"] = "I'd like to talk about it."
    book = TalkingPoints.model_validate(data)
    with pytest.raises(ValueError, match="medication_review"):
        book.check_follow_ups(load_rules(DATA / "rules.yaml").follow_ups.value)
