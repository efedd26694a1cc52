"""Request and response bodies of the JSON API (the contract of PRODUCT.md)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from app.engine import Domain, DomainScore, Sign, Suggestion


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


def _one_line(value: Any) -> Any:
    """Trimmed, with inner runs of spaces as one: the length limit counts what is kept."""
    return " ".join(value.split()) if isinstance(value, str) else value


# The name on shared sheets, chosen by the client; "" or null means none.
DisplayName = Annotated[StrictStr, BeforeValidator(_one_line), Field(max_length=60)]
DISPLAY_NAME_HELP = (
    "The name shown on talking-point sheets the client shares (up to 60 characters); "
    'null or "" for none. Never the username.'
)


class ProfileIn(_In):
    therapy_started_on: date | None = None
    on_medication: StrictBool = False
    country: StrictStr = Field(default="OTHER", pattern=r"^([A-Za-z]{2}|OTHER)$")
    goals: StrictStr | None = Field(default=None, max_length=500)
    display_name: DisplayName | None = Field(default=None, description=DISPLAY_NAME_HELP)


class ProfileOut(BaseModel):
    username: str
    therapy_started_on: date | None
    on_medication: bool
    country: str
    goals: str | None = None
    display_name: str | None = Field(default=None, description=DISPLAY_NAME_HELP)


class CheckInIn(_In):
    client_id: UUID
    taken_at: datetime | None = None
    answers: dict[StrictStr, StrictInt]
    note: StrictStr | None = Field(default=None, max_length=5000)


PHONE = r"^\+?[0-9 ()./-]{3,29}$"


class Contact(_In):
    name: StrictStr = Field(min_length=1, max_length=80)
    phone: StrictStr = Field(default="", max_length=30)

    @field_validator("name", "phone", mode="after")
    @classmethod
    def _trim(cls, value: str) -> str:
        return value.strip()

    @field_validator("phone", mode="after")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and (not re.match(PHONE, value) or len(re.sub(r"\D", "", value)) < 3):
            raise ValueError("a phone number: digits, spaces, ( ) - . and an optional leading +")
        return value


PlanLine = Annotated[StrictStr, Field(max_length=300)]


class SafetyPlanIn(_In):
    """The client's own safety plan: the six Stanley-Brown parts and reasons to keep going."""

    warning_signs: list[PlanLine] = Field(default_factory=list, max_length=10)
    coping: list[PlanLine] = Field(default_factory=list, max_length=10)
    distractions: list[PlanLine] = Field(default_factory=list, max_length=10)
    people: list[Contact] = Field(default_factory=list, max_length=10)
    professionals: list[Contact] = Field(default_factory=list, max_length=10)
    safer_surroundings: list[PlanLine] = Field(default_factory=list, max_length=10)
    reasons: list[PlanLine] = Field(default_factory=list, max_length=10)

    @field_validator(
        "warning_signs", "coping", "distractions", "safer_surroundings", "reasons", mode="after"
    )
    @classmethod
    def _lines(cls, lines: list[str]) -> list[str]:
        return [line.strip() for line in lines if line.strip()]


class SafetyPlanOut(SafetyPlanIn):
    updated_at: str | None = None


class ImportSafetyPlan(SafetyPlanIn):
    """The plan as exported (with `updated_at`, which is not read back)."""

    model_config = ConfigDict(extra="ignore")


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


# --- import (the JSON export read back) --------------------------------------


class _Grows(BaseModel):
    """A part of the export format that may gain fields later: unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")


class ImportProfile(_Grows):
    therapy_started_on: date | None = None
    on_medication: StrictBool = False
    country: StrictStr = Field(default="OTHER", pattern=r"^([A-Za-z]{2}|OTHER)$")
    goals: StrictStr | None = Field(default=None, max_length=500)
    display_name: DisplayName | None = None


class ImportCheckIn(_Grows):
    client_id: UUID
    taken_at: datetime
    therapy_week: StrictInt | None = Field(default=None, ge=0, le=5200)
    questionnaire_id: StrictStr = Field(max_length=40)
    questionnaire_version: StrictStr = Field(max_length=20)
    answers: dict[StrictStr, StrictInt] = Field(min_length=1, max_length=100)
    note: StrictStr | None = Field(default=None, max_length=1000)
    scores: dict[Domain, DomainScore]
    signs: list[Sign] = Field(min_length=1, max_length=20)
    suggestions: list[Suggestion] = Field(max_length=20)
    urgent: StrictBool
    rules_version: StrictStr = Field(default="1", min_length=1, max_length=40)


class ImportSelection(_Grows):
    checkin_client_id: UUID
    excluded: list[StrictStr] = Field(default_factory=list, max_length=200)
    own: list[StrictStr] = Field(default_factory=list, max_length=5)


class ImportDoc(_Grows):
    """A file from GET /api/export. Share links are not read back: their tokens never leave."""

    format: Literal["therapy-checkin-export"]
    format_version: Literal[1]
    profile: ImportProfile | None = None
    checkins: list[ImportCheckIn] = Field(default_factory=list, max_length=5000)
    talking_points: ImportSelection | None = None
    safety_plan: ImportSafetyPlan | None = None

    @model_validator(mode="before")
    @classmethod
    def _ours(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("format") != "therapy-checkin-export":
            raise ValueError(
                'This is not a Therapy Check-in export (format "therapy-checkin-export").'
            )
        if data.get("format_version") != 1:
            raise ValueError(
                f"This export has format_version {data.get('format_version')!r}; "
                "this app reads version 1."
            )
        return data


class ImportConflict(BaseModel):
    client_id: str
    taken_at: str
    detail: str


ImportField = Literal[
    "country", "on_medication", "therapy_started_on", "goals", "display_name", "safety_plan"
]


class ProfileChange(BaseModel):
    field: ImportField
    current: Any = Field(description="The value in this account (null when unset)")
    in_file: Any = Field(description="The value in the file")
    applied: bool


class ImportOut(BaseModel):
    imported: int = Field(description="Check-ins added")
    already_present: int = Field(description="Check-ins already here with the same answers")
    conflicts: list[ImportConflict] = Field(
        description="Same client_id here with different answers or note: kept as it was"
    )
    profile_changes: list[ProfileChange] = Field(
        description="Each value in the file that differs from this account's, and whether "
        "it was applied (only those named in `apply` are)"
    )
    profile_applied: list[str] = Field(description="Profile fields set from the file")
    talking_points_restored: bool
    safety_plan_restored: bool = Field(
        description="The account's safety plan was replaced by the file's (apply=safety_plan)"
    )
