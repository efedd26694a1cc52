"""Value types shared by the engine and its callers (pure: stdlib + pydantic only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Domain = Literal[
    "heard",
    "connection",
    "progress",
    "distress",
    "session_effect",
    "coping",
    "hope",
    "support",
    "motivation",
    "side_effects",
    "safety",
    "life_events",
]
DOMAINS: tuple[str, ...] = get_args(Domain)

SignId = Literal[
    "self_harm_risk",
    "not_heard",
    "weak_connection",
    "session_harm",
    "worsening",
    "no_progress",
    "off_track",
    "dependency",
    "hopelessness",
    "side_effects",
    "on_track",
    "improved",
]
SIGN_IDS: tuple[str, ...] = (
    "self_harm_risk",
    "not_heard",
    "weak_connection",
    "session_harm",
    "worsening",
    "no_progress",
    "off_track",
    "dependency",
    "hopelessness",
    "side_effects",
    "on_track",
    "improved",
)

SuggestionId = Literal[
    "urgent_help",
    "raise_concerns",
    "adjust_expectations",
    "change_therapist",
    "pause",
    "try_other_approach",
    "build_support",
    "medication_review",
    "keep_going",
]
SUGGESTION_IDS: tuple[str, ...] = (
    "urgent_help",
    "raise_concerns",
    "adjust_expectations",
    "change_therapist",
    "pause",
    "try_other_approach",
    "build_support",
    "medication_review",
    "keep_going",
)

Level = Literal["info", "watch", "concern", "urgent"]
Band = Literal["good", "watch", "concern"]
HigherIs = Literal["better", "worse"]


@dataclass(frozen=True)
class Profile:
    """What the engine needs to know about the client."""

    therapy_started_on: date | None = None
    on_medication: bool = False
    country: str = "US"


@dataclass(frozen=True)
class CheckInRecord:
    """One check-in's raw answers and when it was taken (timezone-aware UTC).

    `scores` may carry the domain scores stored with an earlier result under the same
    rules, so that history is not scored again on every submit; None scores the answers.
    """

    taken_at: datetime
    answers: Mapping[str, int] = field(default_factory=dict)
    scores: Mapping[str, DomainScore] | None = None


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DomainScore(_Out):
    value: int = Field(ge=0, le=100)
    higher_is: HigherIs
    band: Band


class Sign(_Out):
    id: SignId
    level: Level
    title: str
    because: list[str]


class Suggestion(_Out):
    id: SuggestionId
    title: str
    why: str
    steps: list[str]


class Evaluation(_Out):
    """The engine's verdict on one check-in, in the shape of the JSON contract."""

    therapy_week: int | None
    scores: dict[str, DomainScore]
    signs: list[Sign]
    suggestions: list[Suggestion]
    urgent: bool
