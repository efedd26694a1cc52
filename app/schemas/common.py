"""What every body shares: strict inputs, growing file parts, the error shape."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)


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
