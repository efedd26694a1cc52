"""The JSON export read back (POST /api/import) and what the import answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal
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
from app.schemas.checkins import MAX_ANSWERS, AnswerKey
from app.schemas.common import TakenAt, WrittenDate, _Grows, iso_z

if TYPE_CHECKING:
    from app.services.importer import Outcome


class ImportProfile(_Grows):
    therapy_started_on: WrittenDate | None = None
    on_medication: StrictBool = False
    country: StrictStr = Field(default="OTHER", pattern=r"^([A-Za-z]{2}|OTHER)$")
    goals: StrictStr | None = Field(default=None, max_length=500)
    display_name: DisplayName | None = None


# A stored result's texts as the engine writes them (a title, a sentence of `because` or
# `why`, a step), with room to spare: an edited file can't make a page of megabytes.
ResultTitle = Annotated[StrictStr, Field(max_length=300)]
ResultText = Annotated[StrictStr, Field(max_length=2000)]
MAX_RESULT_LINES = 30
# The most check-ins one file may hold: ten years of weekly check-ins are about 520.
MAX_IMPORTED_CHECKINS = 5000


class ImportSign(Sign):
    title: ResultTitle
    because: list[ResultText] = Field(max_length=MAX_RESULT_LINES)


class ImportSuggestion(Suggestion):
    title: ResultTitle
    why: ResultText
    steps: list[ResultText] = Field(max_length=MAX_RESULT_LINES)


class ImportCheckIn(_Grows):
    client_id: UUID
    taken_at: TakenAt
    therapy_week: StrictInt | None = Field(default=None, ge=0, le=5200)
    questionnaire_id: StrictStr = Field(max_length=40)
    questionnaire_version: StrictStr = Field(max_length=20)
    answers: dict[AnswerKey, StrictInt] = Field(min_length=1, max_length=MAX_ANSWERS)
    # The live check-in's limit (app/services/checkins.py NOTE_MAX), checked again there.
    note: StrictStr | None = Field(default=None, max_length=1000)
    scores: dict[Domain, DomainScore]
    signs: list[ImportSign] = Field(min_length=1, max_length=20)
    suggestions: list[ImportSuggestion] = Field(max_length=20)
    urgent: StrictBool
    rules_version: StrictStr = Field(default="1", min_length=1, max_length=40)


# A key of the sheet's choice ("goals", "trend", "note:<client_id>", a sign's key...).
SelectionKey = Annotated[StrictStr, Field(max_length=100)]
# An own talking point before it is trimmed; talking_points.clean_own holds it to its limit.
OwnText = Annotated[StrictStr, Field(max_length=1000)]


class ImportSelection(_Grows):
    checkin_client_id: UUID
    excluded: list[SelectionKey] = Field(default_factory=list, max_length=200)
    own: list[OwnText] = Field(default_factory=list, max_length=5)


class ImportDoc(_Grows):
    """A file from GET /api/export. Share links are not read back: their tokens never leave."""

    format: Literal["therapy-checkin-export"]
    format_version: Literal[1]
    profile: ImportProfile | None = None
    checkins: list[ImportCheckIn] = Field(default_factory=list, max_length=MAX_IMPORTED_CHECKINS)
    talking_points: ImportSelection | None = None
    safety_plan: ImportSafetyPlan | None = None

    @model_validator(mode="before")
    @classmethod
    def _ours(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("format") != "therapy-checkin-export":
            raise ValueError(
                'This is not a Therapy Check-in export (format "therapy-checkin-export").'
            )
        version = data.get("format_version")
        # Strictly the integer 1: `true` and `1.0` equal 1 in Python, but no export says so.
        if type(version) is not int or version != 1:
            said = f" {version}" if type(version) is int and abs(version) < 10**6 else ""
            raise ValueError(
                f"This export's format_version{said} is not one this app reads "
                "(it reads version 1)."
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

    @classmethod
    def of(cls, outcome: Outcome) -> ImportOut:
        return cls(
            imported=outcome.imported,
            already_present=outcome.already_present,
            conflicts=[
                ImportConflict(client_id=c.client_id, taken_at=iso_z(c.taken_at), detail=c.detail)
                for c in outcome.conflicts
            ],
            profile_changes=[
                ProfileChange.model_validate(
                    {
                        "field": d.field,
                        "current": d.current,
                        "in_file": d.in_file,
                        "applied": d.applied,
                    }
                )
                for d in outcome.changes
            ],
            profile_applied=outcome.profile_applied,
            talking_points_restored=outcome.talking_points_restored,
            safety_plan_restored="safety_plan" in outcome.applied,
        )
