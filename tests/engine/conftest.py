"""Fixtures for the pure engine: the real data files, loaded once."""

from __future__ import annotations

import pytest

from app.engine import (
    DATA_DIR,
    CrisisDirectory,
    Questionnaire,
    RuleSet,
    load_crisis,
    load_questionnaire,
    load_rules,
)


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    return load_questionnaire(DATA_DIR / "weekly.yaml")


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules(DATA_DIR / "rules.yaml")


@pytest.fixture(scope="session")
def crisis() -> CrisisDirectory:
    return load_crisis(DATA_DIR / "crisis_resources.yaml")
