"""Bodies of the profile and the safety plan."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    field_validator,
)

from app.schemas.common import WrittenDate, _In, iso_z


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
    therapy_started_on: WrittenDate | None = None
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


PHONE = r"^\+?[0-9 ()./-]{3,29}$"


class Contact(_In):
    name: StrictStr = Field(min_length=1, max_length=80)
    # In the schema as well, so a client can check before sending: empty, or at least three
    # digits among spaces, ( ) - . / and an optional leading +.
    phone: StrictStr = Field(
        default="",
        max_length=30,
        pattern=r"^\s*(\+?[ ()./-]*[0-9][ ()./-]*[0-9][ ()./-]*[0-9][0-9 ()./-]*)?\s*$",
    )

    @field_validator("name", mode="before")
    @classmethod
    def _trim_name(cls, value: object) -> object:
        # Before the length checks: a name of spaces is no name (a 422, not an empty one).
        return value.strip() if isinstance(value, str) else value

    @field_validator("phone", mode="after")
    @classmethod
    def _trim_phone(cls, value: str) -> str:
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


class StoredSafetyPlan(SafetyPlanIn):
    """The plan as the service gives it: every part (maybe empty), and when it was last
    saved (None: never, or unreadable). Pages read its attributes; the API sends
    SafetyPlanOut.of(it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    updated_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON of the plan (as GET /api/safety-plan and the export give it)."""
        return SafetyPlanOut.of(self).model_dump()


class SafetyPlanOut(SafetyPlanIn):
    updated_at: str | None = None

    @classmethod
    def of(cls, plan: StoredSafetyPlan) -> SafetyPlanOut:
        moment = plan.updated_at
        return cls.model_validate(
            {
                **plan.model_dump(exclude={"updated_at"}),
                "updated_at": iso_z(moment) if moment else None,
            }
        )


class ImportSafetyPlan(SafetyPlanIn):
    """The plan as exported (with `updated_at`, which is not read back)."""

    model_config = ConfigDict(extra="ignore")
