"""The questionnaire, rules and crisis resources, loaded and validated once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.engine import (
    CrisisDirectory,
    Questionnaire,
    RuleSet,
    load_crisis,
    load_questionnaire,
    load_rules,
)


@dataclass(frozen=True)
class Catalog:
    questionnaire: Questionnaire
    rules: RuleSet
    crisis: CrisisDirectory

    @property
    def country_codes(self) -> set[str]:
        return {code for code, _name in self.crisis.countries()}


def load_catalog(folder: Path) -> Catalog:
    return Catalog(
        questionnaire=load_questionnaire(folder / "weekly.yaml"),
        rules=load_rules(folder / "rules.yaml"),
        crisis=load_crisis(folder / "crisis_resources.yaml"),
    )
