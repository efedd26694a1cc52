"""Bodies of check-ins, their results, the questionnaire and the summary."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
)

from app.engine import DomainScore, DomainTrend, Sign, Suggestion, TrendPoint
from app.engine.types import Band, HigherIs
from app.schemas.common import TakenAt, _In, iso_z

if TYPE_CHECKING:  # the service's values; imported for their type only (services import schemas)
    from app.services.checkin_results import Result, Summary


# An item id as a key of `answers` (the questionnaire's ids are short snake_case words).
AnswerKey = Annotated[StrictStr, Field(max_length=64)]
# More than any questionnaire asks (weekly and follow-up together): the rest is refused
# before each is looked up.
MAX_ANSWERS = 100


class CheckInIn(_In):
    client_id: UUID
    taken_at: TakenAt | None = None
    answers: dict[AnswerKey, StrictInt] = Field(max_length=MAX_ANSWERS)
    note: StrictStr | None = Field(default=None, max_length=5000)


class FollowUpIn(_In):
    """Answers to the short follow-up (support, motivation) for a stored check-in."""

    answers: dict[AnswerKey, StrictInt] = Field(max_length=20)


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

    @classmethod
    def of(cls, result: Result) -> CheckInResult:
        return cls(
            id=result.id,
            client_id=result.client_id,
            taken_at=iso_z(result.taken_at),
            therapy_week=result.therapy_week,
            scores=result.scores,
            signs=result.signs,
            suggestions=result.suggestions,
            urgent=result.urgent,
            rules_version=result.rules_version,
            answers=result.answers,
            note=result.note,
        )


class CheckInPage(BaseModel):
    items: list[CheckInResult]
    next: str | None


class QuestionnaireOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    version: str | int
    items: list[dict[str, Any]]


class TrendPointOut(BaseModel):
    checkin_id: str
    taken_at: str
    therapy_week: int | None
    value: int
    band: Band

    @classmethod
    def of(cls, point: TrendPoint) -> TrendPointOut:
        return cls(
            checkin_id=point.checkin_id,
            taken_at=iso_z(point.taken_at),
            therapy_week=point.therapy_week,
            value=point.value,
            band=point.band,
        )


class DomainTrendOut(BaseModel):
    higher_is: HigherIs
    points: list[TrendPointOut]
    first: int
    latest: int
    change: int
    start: int = Field(description='The number the latest result calls "when you started"')
    start_checkins: int = Field(description="How many first check-ins `start` averages")
    change_from_start: int

    @classmethod
    def of(cls, trend: DomainTrend) -> DomainTrendOut:
        return cls(
            higher_is=trend.higher_is,
            points=[TrendPointOut.of(point) for point in trend.points],
            first=trend.first,
            latest=trend.latest,
            change=trend.change,
            start=trend.start,
            start_checkins=trend.start_checkins,
            change_from_start=trend.change_from_start,
        )


class SummaryOut(BaseModel):
    therapy_started_on: date | None
    therapy_week: int | None
    checkin_count: int
    domains: dict[str, DomainTrendOut]
    latest: CheckInResult | None
    next_checkin_due: date

    @classmethod
    def of(cls, summary: Summary) -> SummaryOut:
        """The summary as JSON (its latest check-in as a CheckInResult)."""
        return cls(
            therapy_started_on=summary.therapy_started_on,
            therapy_week=summary.therapy_week,
            checkin_count=summary.checkin_count,
            domains={d: DomainTrendOut.of(trend) for d, trend in summary.domains.items()},
            latest=CheckInResult.of(summary.latest) if summary.latest is not None else None,
            next_checkin_due=summary.next_checkin_due,
        )
