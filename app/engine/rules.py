"""The rules as data: thresholds, windows and follow-ups, validated against the invariants."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.engine.loading import read_yaml
from app.engine.texts import Texts
from app.engine.types import DOMAINS, SUGGESTION_IDS, Domain, SignId, SuggestionId

T = TypeVar("T")

# Which sign alone may bring which special next step (invariants 1, 5 and 6); every
# other conditional step is added by the engine, never by the follow-up table.
_RESERVED: dict[str, str] = {
    "urgent_help": "self_harm_risk",
    "medication_review": "side_effects",
    "keep_going": "on_track",
}
_ENGINE_ONLY = ("change_therapist", "pause", "adjust_expectations", "try_other_approach")
# Invariant 13: an early warning by itself only ever suggests talking about it.
_OFF_TRACK_ONLY = ("raise_concerns",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Param(_Strict, Generic[T]):
    """One value with what it controls (`description`) and where it comes from (`why`)."""

    value: T
    description: str = Field(min_length=10)
    why: str = Field(min_length=10)


class ReliableChange(_Strict):
    sd: Param[float]
    reliability: Param[float]
    z: Param[float]
    watch_points: Param[int]

    @model_validator(mode="after")
    def _sane(self) -> ReliableChange:
        if self.sd.value <= 0 or self.z.value <= 0 or not 0 < self.reliability.value < 1:
            raise ValueError("reliable_change needs sd > 0, z > 0 and 0 < reliability < 1")
        if not 0 < self.watch_points.value < self.threshold():
            raise ValueError(
                "watch_points must be above 0 and below the reliable change (invariant 10)"
            )
        return self

    def threshold(self) -> int:
        """Points a domain must move to count as real change (Jacobson-Truax), rounded down.

        With whole-number scores, "more than this many points" is then exactly |RCI| > z.
        """
        s_diff = self.sd.value * math.sqrt(2) * math.sqrt(1 - self.reliability.value)
        return math.floor(self.z.value * s_diff)


class Timing(_Strict):
    baseline_checkins: Param[int]
    best_recent_window: Param[int]
    early_weeks: Param[int]
    no_progress_from_week: Param[int]
    no_progress_concern_from_week: Param[int]
    try_other_approach_from_week: Param[int]
    change_therapist_from_week: Param[int]

    @model_validator(mode="after")
    def _invariants(self) -> Timing:
        if not 1 <= self.baseline_checkins.value <= 4:
            raise ValueError("baseline_checkins must be between 1 and 4")
        if not 2 <= self.best_recent_window.value <= 26:
            raise ValueError("best_recent_window must be between 2 and 26 (invariant 10)")
        if not 6 <= self.early_weeks.value <= 8:
            raise ValueError("early_weeks must be between 6 and 8 (invariant 3)")
        if not 6 <= self.no_progress_from_week.value <= 12:
            raise ValueError("no_progress_from_week must be between 6 and 12 (invariant 4)")
        if not (
            self.no_progress_from_week.value
            <= self.no_progress_concern_from_week.value
            <= self.try_other_approach_from_week.value
            <= self.change_therapist_from_week.value
        ):
            raise ValueError(
                "stagnation must escalate: no_progress <= its concern level <= try_other <= change"
            )
        return self


class Patterns(_Strict):
    alliance_needed: Param[int]
    alliance_window: Param[int]
    alliance_min_days: Param[int]
    alliance_item_watch_at: Param[int]
    alliance_drop_steps: Param[int]
    stagnation_needed: Param[int]
    stagnation_window: Param[int]
    stagnation_min_days: Param[int]
    session_harm_needed: Param[int]
    session_harm_window: Param[int]
    life_outside_from: Param[int]
    life_therapy_below: Param[int]

    @model_validator(mode="after")
    def _invariants(self) -> Patterns:
        if not 3 <= self.alliance_needed.value <= 4:
            raise ValueError("alliance_needed must be 3 or 4 (invariant 2)")
        if not self.alliance_needed.value <= self.alliance_window.value <= 8:
            raise ValueError("alliance_window must be between alliance_needed and 8 (invariant 11)")
        if not 14 <= self.alliance_min_days.value <= 21:
            raise ValueError("alliance_min_days must be between 14 and 21 (invariant 2)")
        if not 50 <= self.alliance_item_watch_at.value < 100:
            raise ValueError(
                "alliance_item_watch_at must reach the middle of the scale (invariant 12)"
            )
        if self.alliance_drop_steps.value != 1:
            raise ValueError(
                "alliance_drop_steps must be 1: a drop of one step is watched (invariant 12)"
            )
        if self.stagnation_needed.value < 3 or self.stagnation_min_days.value < 14:
            raise ValueError("stagnation needs >= 3 check-ins over >= 14 days (invariant 2)")
        if self.stagnation_window.value < self.stagnation_needed.value:
            raise ValueError("stagnation_window must be at least stagnation_needed")
        if self.session_harm_needed.value > 2 or self.session_harm_window.value < 4:
            raise ValueError("session harm must show by 2 of the last 4 check-ins (invariant 7)")
        if not 0 <= self.life_therapy_below.value < self.life_outside_from.value <= 100:
            raise ValueError("need 0 <= life_therapy_below < life_outside_from <= 100")
        return self


class ExpectedResponse(_Strict):
    """The placeholder expected course behind off_track (EVIDENCE, dose-effect curve)."""

    domains: Param[list[Domain]]
    target: Param[int]
    half_life_weeks: Param[float]
    tolerance: Param[int]
    from_checkin: Param[int]

    @model_validator(mode="after")
    def _sane(self) -> ExpectedResponse:
        if not self.domains.value:
            raise ValueError("expected_response needs at least one domain")
        if not 50 <= self.target.value <= 100 or self.half_life_weeks.value <= 0:
            raise ValueError("expected_response: target 50-100 and half_life_weeks > 0")
        if not 0 < self.tolerance.value <= 50:
            raise ValueError("expected_response: tolerance must be between 1 and 50 points")
        if self.from_checkin.value < 3:
            raise ValueError(
                "off_track may appear from the third check-in at the earliest (invariant 13)"
            )
        return self


class Scoring(_Strict):
    trend_domains: Param[list[Domain]]
    worst_answer_flags: Param[list[Domain]]
    helping_domains: Param[list[Domain]]

    @model_validator(mode="after")
    def _safety_never_averaged_away(self) -> Scoring:
        if "safety" not in self.worst_answer_flags.value:
            raise ValueError("worst_answer_flags must include safety (invariant 1)")
        if not self.trend_domains.value or not self.helping_domains.value:
            raise ValueError("trend_domains and helping_domains must not be empty")
        return self


class BandRule(_Strict):
    """Cut-points on the 0-100 wellness reading of a domain score."""

    watch_below: int = Field(ge=0, le=100)
    concern_below: int = Field(ge=0, le=100)
    description: str = Field(min_length=10)
    why: str = Field(min_length=10)

    @model_validator(mode="after")
    def _ordered(self) -> BandRule:
        if self.concern_below > self.watch_below:
            raise ValueError("concern_below must not exceed watch_below")
        return self


class RuleFile(_Strict):
    """The schema of rules.yaml itself."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(min_length=1)
    texts: str = Field(pattern=r"^[A-Za-z0-9_-]+\.ya?ml$")
    reliable_change: ReliableChange
    timing: Timing
    patterns: Patterns
    expected_response: ExpectedResponse
    scoring: Scoring
    bands: dict[Domain, BandRule]
    follow_ups: Param[dict[SignId, list[SuggestionId]]]
    priority: Param[list[SuggestionId]]

    @model_validator(mode="after")
    def _complete(self) -> RuleFile:
        missing = [d for d in DOMAINS if d not in self.bands]
        if missing:
            raise ValueError(f"bands missing for: {', '.join(missing)}")
        if self.bands["safety"].concern_below != 100:
            raise ValueError("safety concern_below must be 100: any risk answer (invariant 1)")
        order = self.priority.value
        if sorted(order) != sorted(SUGGESTION_IDS) or order[0] != "urgent_help":
            raise ValueError("priority must list every suggestion once, urgent_help first")
        follow = self.follow_ups.value
        if "urgent_help" not in follow.get("self_harm_risk", []):
            raise ValueError("self_harm_risk must bring urgent_help (invariant 1)")
        if follow.get("on_track") != ["keep_going"]:
            raise ValueError("on_track must bring exactly keep_going (invariant 6)")
        if "raise_concerns" not in follow.get("session_harm", []):
            raise ValueError("session_harm must bring raise_concerns (invariant 7)")
        if not set(follow.get("off_track", [])) <= set(_OFF_TRACK_ONLY):
            raise ValueError("off_track may only bring raise_concerns (invariant 13)")
        if follow.get("improved"):
            raise ValueError("improved is information only and brings no next step")
        for sign, steps in follow.items():
            for step in steps:
                owner = _RESERVED.get(step)
                if (owner is not None and owner != sign) or step in _ENGINE_ONLY:
                    raise ValueError(f"follow_ups: {sign} may not bring {step}")
        return self

    def band_rule(self, domain: str) -> BandRule:
        rules: dict[str, BandRule] = {key: rule for key, rule in self.bands.items()}
        return rules[domain]


class RuleSet(RuleFile):
    """The rules plus the wording they refer to; what `evaluate` consumes."""

    wording: Texts

    @property
    def rc_points(self) -> int:
        return self.reliable_change.threshold()


def load_rules(path: str | Path) -> RuleSet:
    """Read rules.yaml and the texts file it names (same folder); validate both."""
    path = Path(path)
    rule_file = read_yaml(path, RuleFile)
    wording = read_yaml(path.parent / rule_file.texts, Texts)
    fields = {name: getattr(rule_file, name) for name in RuleFile.model_fields}
    return RuleSet.model_validate({**fields, "wording": wording})
