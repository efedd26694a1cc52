"""The questionnaire file, its schema, the public JSON and answer checking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.engine import DATA_DIR, DOMAINS, DataFileError, Questionnaire, load_questionnaire
from tests.engine.support import GOOD


def test_weekly_covers_every_domain_on_five_point_scales(questionnaire: Questionnaire) -> None:
    assert questionnaire.id == "weekly" and questionnaire.version
    assert {it.domain for it in questionnaire.items} == set(DOMAINS)
    assert all((it.min, it.max, len(it.labels)) == (1, 5, 5) for it in questionnaire.items)
    # under two minutes: at most 15 taps on the weekly form (life events may be skipped)
    assert 12 <= len(questionnaire.weekly_items(False)) <= 15
    follow_up = {it.domain for it in questionnaire.follow_up_items(False)}
    assert follow_up == {"support", "motivation"}
    assert questionnaire.note.max_length == 1000
    assert questionnaire.note.label == "What I want to bring up next time"


def test_special_items(questionnaire: Questionnaire) -> None:
    by_domain = {it.domain: it for it in questionnaire.items}
    safety = by_domain["safety"]
    assert safety.required and safety.when is None and safety.labels[0] == "Not at all"
    assert by_domain["side_effects"].when == "on_medication"
    assert not by_domain["life_events"].required
    session = by_domain["session_effect"]
    assert not session.required and session.none_label == "No session this week"
    assert session.higher_is == "worse" and session.labels[-1] == "Much worse"
    optional = {"life_events", "session_effect", "support", "motivation"}
    assert all(it.required for it in questionnaire.items if it.domain not in optional)
    assert all(it.stage == "follow_up" for it in questionnaire.items if it.domain in optional - {
        "life_events", "session_effect"})  # fmt: skip


def test_heard_asks_one_thing_per_question(questionnaire: Questionnaire) -> None:
    heard = [it for it in questionnaire.items if it.domain == "heard"]
    assert [it.id for it in heard] == ["heard_listened", "heard_respected", "heard_unjudged"]
    assert all(" and " not in it.text for it in heard)


def test_version_one_answers_still_score(questionnaire: Questionnaire) -> None:
    # A version-1 check-in: no heard_unjudged, distress_after then part of distress.
    from app.engine import score

    old = {k: v for k, v in GOOD.items() if k != "heard_unjudged"}
    scores = score(questionnaire, {**old, "distress_after": 5}, False)
    assert scores["heard"].value == 100
    assert scores["session_effect"].value == 100
    assert scores["distress"].value == 50  # distress_week alone


def test_applicable_items_depend_on_medication(questionnaire: Questionnaire) -> None:
    without = {it.id for it in questionnaire.applicable_items(False)}
    with_med = {it.id for it in questionnaire.applicable_items(True)}
    assert with_med - without == {"side_effects_burden"}


def test_public_dict(questionnaire: Questionnaire) -> None:
    data = questionnaire.public_dict(None)
    assert set(data) == {"id", "version", "items", "note"}
    assert len(data["items"]) == len(questionnaire.items)
    assert set(data["items"][0]) == {
        "id", "domain", "text", "min", "max", "labels", "higher_is", "required", "when", "hint",
        "stage", "none_label",
    }  # fmt: skip
    assert data["note"]["max_length"] == 1000
    ids = [it["id"] for it in questionnaire.public_dict(False)["items"]]
    assert "side_effects_burden" not in ids
    assert "side_effects_burden" in [it["id"] for it in questionnaire.public_dict(True)["items"]]


def test_valid_answers_have_no_problems(questionnaire: Questionnaire) -> None:
    assert questionnaire.check_answers(GOOD, False) == {}
    assert questionnaire.check_answers({**GOOD, "life_events_source": 3}, False) == {}
    assert questionnaire.check_answers({**GOOD, "side_effects_burden": 1}, True) == {}


def test_check_answers_names_every_problem(questionnaire: Questionnaire) -> None:
    answers = {**GOOD, "made_up": 2, "heard_listened": 6, "side_effects_burden": 2}
    del answers["safety_thoughts"]
    problems = questionnaire.check_answers(answers, False)
    assert set(problems) == {"made_up", "heard_listened", "side_effects_burden", "safety_thoughts"}
    assert "no question" in problems["made_up"]
    assert "1 (Not at all) to 5 (Completely)" in problems["heard_listened"]
    assert "medication" in problems["side_effects_burden"]
    assert problems["safety_thoughts"] == "Please answer this question."


def test_check_answers_requires_side_effects_on_medication(questionnaire: Questionnaire) -> None:
    assert set(questionnaire.check_answers(GOOD, True)) == {"side_effects_burden"}


def test_check_answers_rejects_non_integers(questionnaire: Questionnaire) -> None:
    problems = questionnaire.check_answers({**GOOD, "coping_own": True}, False)
    assert "whole number" in problems["coping_own"]


def test_empty_answers(questionnaire: Questionnaire) -> None:
    problems = questionnaire.check_answers({}, False)
    assert "answers" in problems
    assert "safety_thoughts" in problems


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _raw() -> dict[str, Any]:
    loaded = yaml.safe_load((DATA_DIR / "weekly.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _first_item_with(**changes: Any) -> dict[str, Any]:
    data = _raw()
    data["items"][0].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**_raw(), "colour": "blue"}, "colour"),
        (_first_item_with(tooltip="x"), "tooltip"),
        (_first_item_with(labels=["a", "b", "c", "d"]), "need exactly one per point"),
        (_first_item_with(domain="mood"), "domain"),
        (_first_item_with(min="1"), "min"),
        (_first_item_with(higher_is="worse"), "share higher_is"),
        (_first_item_with(max=1), "max must be greater"),
        ({**_raw(), "version": 1}, "version"),
    ],
)
def test_schema_rejects(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        load_questionnaire(_write(tmp_path, data))


def test_schema_rejects_duplicate_ids(tmp_path: Path) -> None:
    data = _raw()
    data["items"].append(dict(data["items"][0]))
    with pytest.raises(DataFileError, match="duplicate item ids: heard_listened"):
        load_questionnaire(_write(tmp_path, data))


def test_schema_requires_a_required_safety_item(tmp_path: Path) -> None:
    data = _raw()
    safety = next(it for it in data["items"] if it["domain"] == "safety")
    safety["required"] = False
    with pytest.raises(DataFileError, match="safety item"):
        load_questionnaire(_write(tmp_path, data))
    data["items"] = [it for it in data["items"] if it["domain"] != "safety"]
    with pytest.raises(DataFileError, match="must ask the safety question"):
        load_questionnaire(_write(tmp_path, data))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        load_questionnaire(tmp_path / "absent.yaml")


# Distinctive wording of published instruments that must never appear in our product text.
PUBLISHED_PHRASES = [
    "little interest or pleasure",
    "more than half the days",
    "nearly every day",
    "feeling down, depressed",
    "better off dead",
    "i felt heard, understood, and respected",
    "we worked on and talked about",
    "the therapist's approach is a good fit",
    "individually",
    "interpersonally",
    "i have felt terribly alone",
    "i have felt able to cope",
]


def test_no_published_instrument_wording() -> None:
    text = " ".join(p.read_text(encoding="utf-8").lower() for p in DATA_DIR.glob("*.yaml"))
    for phrase in PUBLISHED_PHRASES:
        assert phrase not in text, phrase
