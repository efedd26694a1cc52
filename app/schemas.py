"""Request and response bodies of the JSON API (the contract of PRODUCT.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from app.engine import DomainScore, Sign, Suggestion


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Credentials(_In):
    username: StrictStr = Field(max_length=100)
    password: StrictStr = Field(max_length=1024)


class NewAccount(_In):
    """Sign-up: the limits are in the schema too, so clients can check before sending."""

    username: StrictStr = Field(
        min_length=3, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]+$"
    )
    password: StrictStr = Field(min_length=12, max_length=256)


class ErrorOut(BaseModel):
    detail: Any = Field(description="What was wrong: a sentence, or a list of field errors")


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        401: "Not signed in, or the credentials don't match",
        403: "Cross-site request refused",
        404: "Not found, or not this account's",
        409: "Conflicts with what is stored",
        415: "The body is not application/json",
        422: "The request is malformed or makes no sense",
        429: "Too many attempts; see Retry-After",
    }.items()
}


class SignupOut(BaseModel):
    username: str
    recovery_codes: list[str]


class UserOut(BaseModel):
    username: str


class Message(BaseModel):
    detail: str


class ProfileIn(_In):
    therapy_started_on: date | None = None
    on_medication: StrictBool = False
    country: StrictStr = Field(default="OTHER", pattern=r"^([A-Za-z]{2}|OTHER)$")


class ProfileOut(BaseModel):
    username: str
    therapy_started_on: date | None
    on_medication: bool
    country: str


class CheckInIn(_In):
    client_id: UUID
    taken_at: datetime | None = None
    answers: dict[StrictStr, StrictInt]
    note: StrictStr | None = Field(default=None, max_length=5000)


class CheckInResult(BaseModel):
    id: str
    client_id: str
    taken_at: str
    therapy_week: int | None
    scores: dict[str, DomainScore]
    signs: list[Sign]
    suggestions: list[Suggestion]
    urgent: bool
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
