"""The talking-points sheet as a typed value, and the JSON a share link keeps of it.

The service builds a `Sheet` (times are aware UTC datetimes, each item marked `included`
or not). A share link stores `sheet.snapshot()`: only the ticked items, as JSON with "Z"
times, without `included` or `checkin_id`, with `crisis_country`. `Sheet.from_snapshot`
reads a stored snapshot back, old ones too: those shared before the start was kept have
no `start`/`start_checkins` in their trend series (and give none back in theirs).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from app.engine.scoring import as_utc
from app.engine.types import HigherIs
from app.schemas.common import iso_z

if TYPE_CHECKING:  # the service's values; imported for their type only (services import schemas)
    from app.services.sharing import ExportedLink
    from app.services.talking_points import SavedChoice

# Aware UTC in the model, written as the contract writes times ("…Z") in JSON.
Moment = Annotated[
    datetime, AfterValidator(as_utc), PlainSerializer(iso_z, return_type=str, when_used="json")
]


class _Part(BaseModel):
    # A stored snapshot may hold keys this version doesn't know: they are left out.
    model_config = ConfigDict(extra="ignore", frozen=True)


class SignPoint(_Part):
    key: str
    sign: str  # a sign id; plain text, so a snapshot outlives a sign that is retired
    level: str
    title: str
    noticed: str
    asks: list[str]
    included: bool = True  # snapshots keep only what was ticked, without this flag


class OwnPoint(_Part):
    key: str
    text: str
    included: bool = True


class NotePoint(_Part):
    key: str
    at: Moment
    text: str
    included: bool = True


class GoalsItem(_Part):
    key: str
    text: str
    included: bool = True


class TrendPoint(_Part):
    at: Moment
    value: int


class TrendSeries(_Part):
    domain: str
    name: str
    higher_is: HigherIs
    first: int
    # None only in sheets shared before the start was kept: they say "at first".
    start: int | None = None
    start_checkins: int | None = None
    latest: int
    points: list[TrendPoint]

    @model_serializer(mode="wrap")
    def _as_kept(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """An old series goes back out as it came in: without the start it never had."""
        data: dict[str, Any] = handler(self)
        for key in ("start", "start_checkins"):
            if key in data and data[key] is None:
                del data[key]
        return data


class TrendItem(_Part):
    key: str
    series: list[TrendSeries]
    included: bool = True


Item = SignPoint | OwnPoint | NotePoint | GoalsItem | TrendItem
_NOT_KEPT = {"__all__": {"included"}}


class Sheet(_Part):
    """The whole sheet; `checkin_id` is None in a snapshot (ids stay in the account)."""

    version: int
    checkin_id: str | None = None
    first_at: Moment
    latest_at: Moment
    therapy_started_on: date | None
    checkin_count: int
    therapy_week: int | None
    urgent: bool
    points: list[SignPoint]
    own: list[OwnPoint]
    notes: list[NotePoint]
    goals: GoalsItem | None
    trend: TrendItem | None
    crisis_country: str | None = None  # set on snapshots only

    def items(self) -> Iterator[Item]:
        """Everything on the sheet that can be ticked or unticked."""
        yield from self.points
        yield from self.own
        yield from self.notes
        for single in (self.goals, self.trend):
            if single is not None:
                yield single

    def chosen(self) -> Sheet:
        """Only what the client ticked."""
        return self.model_copy(
            update={
                "points": [p for p in self.points if p.included],
                "own": [o for o in self.own if o.included],
                "notes": [n for n in self.notes if n.included],
                "goals": self.goals if self.goals and self.goals.included else None,
                "trend": self.trend if self.trend and self.trend.included else None,
            }
        )

    def is_empty(self) -> bool:
        return not (self.points or self.own or self.notes or self.goals or self.trend)

    def snapshot(self) -> dict[str, Any]:
        """What a share link keeps, as JSON: the ticked items, without internal ids."""
        return self.chosen().model_dump(
            mode="json",
            exclude={
                "checkin_id": True,
                "points": _NOT_KEPT,
                "own": _NOT_KEPT,
                "notes": _NOT_KEPT,
                "goals": {"included"},
                "trend": {"included"},
            },
        )

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Sheet:
        """A stored snapshot, every item in it included."""
        return cls.model_validate(data)


class ShareLinkOut(BaseModel):
    """A share link in the export: when, how often opened, what it shows. Never the hash."""

    created_at: str
    expires_at: str
    revoked_at: str | None
    open_count: int
    last_opened_at: str | None
    sheet: dict[str, Any]

    @classmethod
    def of(cls, link: ExportedLink) -> ShareLinkOut:
        return cls(
            created_at=iso_z(link.created_at),
            expires_at=iso_z(link.expires_at),
            revoked_at=iso_z(link.revoked_at) if link.revoked_at else None,
            open_count=link.open_count,
            last_opened_at=iso_z(link.last_opened_at) if link.last_opened_at else None,
            sheet=link.sheet.snapshot(),
        )


class TalkingChoiceOut(BaseModel):
    """The stored choice in the export, keyed by the check-in's client_id."""

    checkin_client_id: str
    excluded: list[str]
    own: list[str]
    updated_at: str

    @classmethod
    def of(cls, choice: SavedChoice) -> TalkingChoiceOut:
        return cls(
            checkin_client_id=choice.checkin_client_id,
            excluded=list(choice.excluded),
            own=list(choice.own),
            updated_at=iso_z(choice.updated_at),
        )
