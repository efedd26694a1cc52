"""rules.yaml and suggestions.yaml: loading, and refusal of values that break invariants."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.engine import DATA_DIR, SIGN_IDS, SUGGESTION_IDS, DataFileError, RuleSet, load_rules

Mutation = Callable[[dict[str, Any]], None]


def test_real_rules_load(rules: RuleSet) -> None:
    assert rules.timing.no_progress_from_week.value == 8
    assert rules.priority.value[0] == "urgent_help"
    assert set(rules.wording.signs) == set(SIGN_IDS)
    assert set(rules.wording.suggestions) == set(SUGGESTION_IDS)


def test_every_parameter_explains_itself() -> None:
    data = yaml.safe_load((DATA_DIR / "rules.yaml").read_text(encoding="utf-8"))
    for section in ("reliable_change", "timing", "patterns", "scoring", "bands"):
        for name, param in data[section].items():
            assert param["description"].strip() and param["why"].strip(), f"{section}.{name}"
    assert "not validated" in data["reliable_change"]["sd"]["why"].lower()


def test_suggestion_texts_cover_the_how_to(rules: RuleSet) -> None:
    def text(sid: str) -> str:
        found = rules.wording.suggestions[sid]  # type: ignore[index]
        return " ".join([found.why, *found.steps]).lower()

    assert "i'd like to talk about how therapy is going" in text("raise_concerns")
    assert "different therapist here" in text("change_therapist")
    assert "end date" in text("pause") and "practise" in text("pause")
    assert "since when" in text("medication_review")
    assert "suddenly" in text("medication_review") and "prescriber" in text("medication_review")
    assert "straight line" in text("adjust_expectations") and "slow" in text("adjust_expectations")
    assert "peer support" in text("build_support") and "sleep" in text("build_support")
    urgent = text("urgent_help")
    for phrase in ("contact your therapist now", "warning signs", "what helps", "people", "safer"):
        assert phrase in urgent


def _load(tmp_path: Path, mutate: Mutation, file: str = "rules.yaml") -> RuleSet:
    for name in ("rules.yaml", "suggestions.yaml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    path = tmp_path / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_rules(tmp_path / "rules.yaml")


def _set(section: str, name: str, value: Any) -> Mutation:
    return lambda d: d[section][name].update(value=value)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(extra_key=1), "extra_key"),
        (lambda d: d["timing"]["early_weeks"].update(source="x"), "source"),
        (lambda d: d["timing"]["early_weeks"].pop("why"), "why"),
        (_set("timing", "no_progress_from_week", 5), "invariant 4"),
        (_set("timing", "no_progress_from_week", 13), "invariant 4"),
        (_set("timing", "early_weeks", 4), "invariant 3"),
        (_set("timing", "try_other_approach_from_week", 30), "must escalate"),
        (_set("patterns", "alliance_needed", 2), "invariant 2"),
        (_set("patterns", "alliance_needed", 5), "invariant 2"),
        (_set("patterns", "alliance_min_days", 10), "invariant 2"),
        (_set("patterns", "stagnation_min_days", 7), "invariant 2"),
        (_set("patterns", "alliance_window", 12), "invariant 11"),
        (_set("patterns", "alliance_item_watch_at", 25), "invariant 12"),
        (_set("patterns", "session_harm_needed", 3), "invariant 7"),
        (_set("patterns", "session_harm_window", 3), "invariant 7"),
        (_set("expected_response", "from_checkin", 2), "invariant 13"),
        (_set("reliable_change", "watch_points", 30), "invariant 10"),
        (_set("timing", "best_recent_window", 1), "invariant 10"),
        (_set("reliable_change", "reliability", 1.2), "reliability"),
        (_set("scoring", "worst_answer_flags", ["heard"]), "safety"),
        (lambda d: d["bands"]["safety"].update(concern_below=90), "safety concern_below"),
        (lambda d: d["bands"]["heard"].update(concern_below=80), "must not exceed"),
        (lambda d: d["bands"].pop("hope"), "bands missing for: hope"),
        (lambda d: d["follow_ups"]["value"]["not_heard"].append("pause"), "not_heard may not"),
        (
            lambda d: d["follow_ups"]["value"]["worsening"].append("change_therapist"),
            "worsening may not",
        ),
        (lambda d: d["follow_ups"]["value"]["hopelessness"].append("urgent_help"), "may not"),
        (lambda d: d["follow_ups"]["value"]["on_track"].append("build_support"), "exactly"),
        (lambda d: d["follow_ups"]["value"]["self_harm_risk"].remove("urgent_help"), "urgent"),
        (lambda d: d["priority"]["value"].reverse(), "urgent_help first"),
        (lambda d: d.update(texts="../elsewhere.yaml"), "texts"),
    ],
)
def test_rules_schema_rejects(tmp_path: Path, mutate: Mutation, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        _load(tmp_path, mutate)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["suggestions"].pop("pause"), "missing wording for: pause"),
        (lambda d: d["signs"]["on_track"].update(emoji="x"), "emoji"),
        (lambda d: d["suggestions"]["pause"].update(steps=[]), "steps"),
    ],
)
def test_texts_schema_rejects(tmp_path: Path, mutate: Mutation, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        _load(tmp_path, mutate, file="suggestions.yaml")
