"""Schema of the talking-points wording: each sign in the client's own voice (first person)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.engine.loading import read_yaml
from app.engine.types import SIGN_IDS, SignId, SuggestionId

# The sheet speaks as the client: every line must say "I", "my", "we", ...
_FIRST_PERSON = re.compile(r"\bI\b|\b(?i:me|my|we|our|us)\b")


def _first_person(text: str) -> str:
    text = " ".join(text.split())
    if not _FIRST_PERSON.search(text) or text.lower().startswith(("you ", "your ")):
        raise ValueError(f"write this in the first person, as the client would: {text!r}")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PointText(_Strict):
    title: str = Field(min_length=3, max_length=80)
    noticed: str = Field(min_length=10, max_length=200)
    ask: dict[SuggestionId, str] = Field(min_length=1)

    @field_validator("title", "noticed")
    @classmethod
    def _voice(cls, text: str) -> str:
        return _first_person(text)

    @field_validator("ask")
    @classmethod
    def _asks(cls, asks: dict[SuggestionId, str]) -> dict[SuggestionId, str]:
        for text in asks.values():
            if not 10 <= len(text) <= 240:
                raise ValueError("each ask must be 10 to 240 characters")
        return {key: _first_person(text) for key, text in asks.items()}

    def asks(self) -> dict[str, str]:
        """What to say or ask, by the id of the next step it comes from."""
        return {str(key): text for key, text in self.ask.items()}


class TalkingPoints(_Strict):
    """The schema of talking_points.yaml: wording for every sign, nothing extra."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    talking_points: dict[SignId, PointText]

    @model_validator(mode="after")
    def _complete(self) -> TalkingPoints:
        missing = [s for s in SIGN_IDS if s not in self.talking_points]
        if missing:
            raise ValueError(f"talking_points missing for: {', '.join(missing)}")
        return self

    def check_follow_ups(self, follow_ups: Mapping[SignId, Sequence[str]]) -> None:
        """Each next step a sign always brings has a line: a raised sign has something to say."""
        for sign, steps in follow_ups.items():
            have = self.talking_points[sign].asks()
            missing = [step for step in steps if step not in have]
            if missing:
                raise ValueError(f"talking_points.{sign}.ask needs a line for: {missing}")

    def point(self, sign: str) -> PointText | None:
        points: dict[str, PointText] = {key: value for key, value in self.talking_points.items()}
        return points.get(sign)


def load_talking_points(path: str | Path) -> TalkingPoints:
    """Read and validate talking_points.yaml."""
    return read_yaml(path, TalkingPoints)
