"""What every body shares: strict inputs, growing file parts, the error shape, the time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)
from pydantic_core import PydanticCustomError
from starlette.convertors import Convertor, register_url_convertor

from app.engine.scoring import as_utc


def iso_z(moment: datetime) -> str:
    """A moment as the contract writes it: ISO 8601 in UTC with "Z" ("2026-05-01T08:00:00Z",
    microseconds kept when there are any). A naive time is taken to be UTC already."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")


# The largest id a row can have: the widest signed 64-bit integer (SQLite's INTEGER). A
# bigger number can't name a row, and SQLite's driver refuses to even compare with it
# (OverflowError). The id columns are narrower still on PostgreSQL (INTEGER).
# The id columns are INTEGER (32 bits on PostgreSQL): a bigger number can't name a row, and
# PostgreSQL would refuse it in the query itself.
MAX_ROW_ID = 2**31 - 1

# The id of a session, a passkey, a share link... in a path: 1 to 2**31-1, else a 422.
RowId = Annotated[
    int, Field(ge=1, le=MAX_ROW_ID, description="A row id: an integer from 1 to 2^31-1")
]


class _Digits(Convertor[str]):
    """A path part of digits only, handed on as text for RowId to check (Starlette's own
    `int` would turn 5,000 digits into an error of ours). A route `/x/{id:digits}` leaves
    `/x/register` to the route that has that name: another method there is a 405."""

    regex = "[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("digits", _Digits())

_ROW_ID = re.compile(r"[1-9][0-9]{0,9}")


def row_id(text: str) -> int | None:
    """A page's id from its path as a RowId, or None when it can't name a row (too big,
    not a number, 0 or less): the page then answers as for an id that isn't there."""
    if not _ROW_ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None


# A check-in's id: a UUID in its usual written form (what app.models.new_id makes).
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
CheckInId = Annotated[
    str,
    Field(min_length=36, max_length=36, pattern=UUID_PATTERN, description="A check-in's id"),
]


def is_checkin_id(text: str) -> bool:
    return re.fullmatch(UUID_PATTERN, text) is not None


# No check-in is older than this: the app's history starts long after it, and a time in
# year 1 or 9999 with an offset can't even be turned into UTC (OverflowError).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def in_window(moment: datetime, latest: datetime | None = None) -> datetime:
    """`moment` in UTC (a naive one is UTC already), or a ValueError when it is before
    EARLIEST, after `latest` (when given), or beyond what a datetime holds in UTC."""
    try:
        utc = as_utc(moment)
    except OverflowError:
        raise PydanticCustomError(
            "time_out_of_range", "This time is out of range once turned into UTC."
        ) from None
    if utc < EARLIEST:
        raise PydanticCustomError(
            "time_too_early", "This time is before 2000-01-01; no check-in can be that old."
        )
    if latest is not None and utc > latest:
        raise PydanticCustomError("time_in_future", "This time is in the future.")
    return utc


def _from_2000(moment: datetime) -> datetime:
    return in_window(moment)


# `taken_at` of a check-in (live or imported): any time from 2000 on, as UTC. The future
# is refused by the services, which know the clock and its skew.
TakenAt = Annotated[datetime, AfterValidator(_from_2000)]


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


def _written_date(value: object) -> object:
    # A date as JSON writes it ("2026-01-05"); a bare number is not read as one.
    if isinstance(value, int | float):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


# A calendar date in a body: ISO text only, as the schema says.
WrittenDate = Annotated[date, BeforeValidator(_written_date)]
