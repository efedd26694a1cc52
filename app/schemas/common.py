"""What every body shares: strict inputs, growing file parts, the error shape, the time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from app.engine.scoring import as_utc


def iso_z(moment: datetime) -> str:
    """A moment as the contract writes it: ISO 8601 in UTC with "Z" ("2026-05-01T08:00:00Z",
    microseconds kept when there are any). A naive time is taken to be UTC already."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Grows(BaseModel):
    """A part of the export format that may gain fields later: unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore")


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


class Message(BaseModel):
    detail: str


class UserOut(BaseModel):
    username: str
