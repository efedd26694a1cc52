"""Bodies of check-ins, their results, the questionnaire and the summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
)

from app.engine import DomainScore, Sign, Suggestion
from app.schemas.common import _In


class CheckInIn(_In):
    client_id: UUID
    taken_at: datetime | None = None
    answers: dict[StrictStr, StrictInt]
    note: StrictStr | None = Field(default=None, max_length=5000)


class FollowUpIn(_In):
    """Answers to the short follow-up (support, motivation) for a stored check-in."""

    answers: dict[StrictStr, StrictInt] = Field(max_length=20)


class CheckInResult(BaseModel):
    id: str
    client_id: str
    taken_at: str
    therapy_week: int | None
    scores: dict[str, DomainScore]
    signs: list[Sign]
    suggestions: list[Suggestion]
    urgent: bool
    rules_version: str
    answers: dict[str, int]
    note: str | None


class CheckInPage(BaseModel):
    items: list[CheckInResult]
    next: str | None


class QuestionnaireOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    version: str | int
    items: list[dict[str, Any]]


class SummaryOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    therapy_started_on: str | None
    therapy_week: int | None
    checkin_count: int
    domains: dict[str, Any]
    latest: CheckInResult | None
    next_checkin_due: str
