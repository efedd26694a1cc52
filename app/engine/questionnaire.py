"""The check-in questionnaire as data: schema, loading, and answer checking."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.engine.loading import read_yaml
from app.engine.types import Domain, HigherIs

_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
PUBLIC_ITEM_KEYS = (
    "id",
    "domain",
    "text",
    "min",
    "max",
    "labels",
    "higher_is",
    "required",
    "when",
    "hint",
    "stage",
    "none_label",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Item(_Strict):
    """One tappable question on a scale from `min` to `max`, one label per point."""

    id: str = Field(pattern=_ID_PATTERN)
    domain: Domain
    text: str = Field(min_length=3, max_length=300)
    asked: str | None = Field(default=None, min_length=3, max_length=200)
    min: int = Field(ge=0, le=10)
    max: int = Field(ge=1, le=10)
    labels: list[str]
    higher_is: HigherIs
    required: bool = True
    when: Literal["on_medication"] | None = None
    hint: str | None = Field(default=None, max_length=300)
    # weekly: on the form every week; follow_up: asked on the result page after a sign
    # that therapy is off course, stored with that check-in.
    stage: Literal["weekly", "follow_up"] = "weekly"
    # An extra choice that stores no answer ("No session this week"); optional items only.
    none_label: str | None = Field(default=None, min_length=3, max_length=60)

    @model_validator(mode="after")
    def _scale_is_labelled(self) -> Item:
        if self.max <= self.min:
            raise ValueError(f"item {self.id}: max must be greater than min")
        expected = self.max - self.min + 1
        if len(self.labels) != expected:
            raise ValueError(
                f"item {self.id}: {len(self.labels)} labels for a {self.min}-{self.max} scale; "
                f"need exactly one per point ({expected})"
            )
        if any(not label.strip() for label in self.labels):
            raise ValueError(f"item {self.id}: labels must not be blank")
        if (self.none_label or self.stage == "follow_up") and self.required:
            raise ValueError(f"item {self.id}: follow-up items and none_label need required: false")
        return self

    def applies(self, on_medication: bool) -> bool:
        """Whether this item is asked of a client with this medication status."""
        return self.when is None or on_medication

    def label(self, value: int) -> str:
        """The label of an answer (clamped into the scale, so never raises)."""
        return self.labels[max(self.min, min(self.max, value)) - self.min]

    def wellness(self, value: int) -> float:
        """0-100 where 100 is the best possible answer, whatever way the scale runs."""
        raw = (value - self.min) / (self.max - self.min) * 100
        return raw if self.higher_is == "better" else 100 - raw

    def describe(self, value: int) -> str:
        """A plain sentence naming the answer, for a sign's *because*."""
        topic = self.asked or f'"{self.text}"'
        return f'You answered "{self.label(value)}" when asked {topic}.'

    def public_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        return {key: data[key] for key in PUBLIC_ITEM_KEYS}


class Note(_Strict):
    """The optional free-text field shown under the items."""

    label: str = Field(min_length=3, max_length=200)
    hint: str | None = Field(default=None, max_length=300)
    max_length: int = Field(ge=1, le=10_000)


class Questionnaire(_Strict):
    """A versioned set of items; the engine scores check-ins against one of these."""

    id: str = Field(pattern=_ID_PATTERN)
    version: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=120)
    items: list[Item] = Field(min_length=1)
    note: Note

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        duplicates = [i for i, n in Counter(it.id for it in self.items).items() if n > 1]
        if duplicates:
            raise ValueError(f"duplicate item ids: {', '.join(sorted(duplicates))}")
        safety = [it for it in self.items if it.domain == "safety"]
        if not safety:
            raise ValueError("a questionnaire must ask the safety question (domain: safety)")
        for item in safety:
            if (
                not item.required
                or item.when is not None
                or item.higher_is != "worse"
                or item.stage != "weekly"
            ):
                raise ValueError(
                    f"safety item {item.id} must be required, always asked, higher_is: worse"
                )
        directions: dict[str, set[str]] = {}
        for item in self.items:
            directions.setdefault(item.domain, set()).add(item.higher_is)
        mixed = sorted(d for d, ways in directions.items() if len(ways) > 1)
        if mixed:
            raise ValueError(f"items of one domain must share higher_is: {', '.join(mixed)}")
        return self

    def item(self, item_id: str) -> Item | None:
        return next((it for it in self.items if it.id == item_id), None)

    def applicable_items(self, on_medication: bool) -> list[Item]:
        """The items this client may answer (weekly and follow-up), in questionnaire order."""
        return [it for it in self.items if it.applies(on_medication)]

    def weekly_items(self, on_medication: bool) -> list[Item]:
        """The items on this client's weekly form."""
        return [it for it in self.applicable_items(on_medication) if it.stage == "weekly"]

    def follow_up_items(self, on_medication: bool) -> list[Item]:
        """The short follow-up offered on the result page after an off-course sign."""
        return [it for it in self.applicable_items(on_medication) if it.stage == "follow_up"]

    def domain_direction(self, domain: str) -> HigherIs | None:
        return next((it.higher_is for it in self.items if it.domain == domain), None)

    def public_dict(self, on_medication: bool | None = None) -> dict[str, Any]:
        """JSON for the API; `None` lists every item, conditional ones included."""
        items = list(self.items) if on_medication is None else self.applicable_items(on_medication)
        return {
            "id": self.id,
            "version": self.version,
            "items": [it.public_dict() for it in items],
            "note": self.note.model_dump(mode="json"),
        }

    def check_answers(self, answers: Mapping[str, int], on_medication: bool) -> dict[str, str]:
        """Every problem with a set of answers as {item id: plain message}; empty = valid."""
        problems: dict[str, str] = {}
        if not answers:
            problems["answers"] = "No answers were sent. Please answer the check-in questions."
        for item_id, value in answers.items():
            item = self.item(item_id)
            if item is None:
                problems[item_id] = f'There is no question "{item_id}" in this check-in.'
            elif not item.applies(on_medication):
                problems[item_id] = (
                    "This question is only asked of people who take medication; "
                    "you can change that in your settings."
                )
            elif isinstance(value, bool) or not isinstance(value, int):
                problems[item_id] = (
                    f"Please choose one of the answers (a whole number from {item.min} "
                    f"to {item.max})."
                )
            elif not item.min <= value <= item.max:
                problems[item_id] = (
                    f"{value} is not one of the answers; please choose from {item.min} "
                    f"({item.labels[0]}) to {item.max} ({item.labels[-1]})."
                )
        for item in self.applicable_items(on_medication):
            if item.required and item.id not in answers:
                problems[item.id] = "Please answer this question."
        return problems


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and validate a questionnaire YAML file; raises ValueError naming the problem."""
    return read_yaml(path, Questionnaire)
