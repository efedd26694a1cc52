"""Everything the sign and suggestion rules read about one check-in, computed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from app.engine.crisis import CrisisEntry
from app.engine.questionnaire import Item, Questionnaire
from app.engine.rules import RuleSet
from app.engine.scoring import valid_answer, wellness
from app.engine.trends import (
    Change,
    Point,
    Run,
    alliance_concern,
    alliance_run,
    changes,
    span_days,
    stagnant,
    stagnation_run,
)
from app.engine.types import Profile

LifeSource = Literal["outside", "therapy"]


@dataclass(frozen=True)
class Context:
    questionnaire: Questionnaire
    rules: RuleSet
    crisis: CrisisEntry
    profile: Profile
    points: Sequence[Point]  # oldest first, the current check-in last

    @property
    def current(self) -> Point:
        return self.points[-1]

    @property
    def week(self) -> int:
        return self.current.week

    @property
    def early(self) -> bool:
        return self.week <= max(6, self.rules.timing.early_weeks.value)

    @property
    def alliance_ok(self) -> bool:
        return not alliance_concern(self.current)

    @cached_property
    def changes(self) -> dict[str, Change]:
        return changes(self.points, self.rules)

    @cached_property
    def worsened(self) -> list[Change]:
        return [c for c in self.changes.values() if c.reliably_worse]

    @cached_property
    def stagnant(self) -> bool:
        return stagnant(self.points, self.rules)

    @cached_property
    def alliance_run(self) -> Run:
        return alliance_run(self.points)

    @cached_property
    def stagnation_run(self) -> Run:
        return stagnation_run(self.points, self.rules)

    @cached_property
    def risk_answers(self) -> list[tuple[Item, int]]:
        """Safety answers above the item minimum; out-of-range high answers count too."""
        found = []
        for item in self.questionnaire.items:
            value = self.current.answers.get(item.id)
            if item.domain != "safety" or isinstance(value, bool) or not isinstance(value, int):
                continue
            if value > item.min:
                found.append((item, value))
        return found

    @property
    def enough_evidence(self) -> bool:
        """Invariant 2's floor for suggesting another therapist: 3 check-ins over 14 days."""
        return len(self.points) >= 3 and span_days(self.points) >= 14

    @cached_property
    def life_source(self) -> LifeSource | None:
        found = self.current.scores.get("life_events")
        if found is None:
            return None
        well = wellness(found)
        if well >= self.rules.patterns.life_outside_from.value:
            return "outside"
        if well < self.rules.patterns.life_therapy_below.value:
            return "therapy"
        return None

    def answered(self, domain: str) -> list[tuple[Item, int]]:
        """This check-in's valid answers in one domain, worst first."""
        pairs = []
        for item in self.questionnaire.applicable_items(self.profile.on_medication):
            if item.domain != domain:
                continue
            value = valid_answer(item, self.current.answers.get(item.id))
            if value is not None:
                pairs.append((item, value))
        return sorted(pairs, key=lambda pair: pair[0].wellness(pair[1]))

    def band(self, domain: str) -> str | None:
        return self.current.band(domain)

    def name(self, domain: str) -> str:
        return self.rules.wording.domain_name(domain)
