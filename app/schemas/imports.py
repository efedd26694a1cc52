"""The JSON export read back (POST /api/import) and what the import answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from app.engine import Domain, DomainScore, Sign, Suggestion
from app.schemas.account import DisplayName, ImportSafetyPlan
from app.schemas.common import _Grows


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
