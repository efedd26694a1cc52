"""Crisis lines per country, shown with every risk answer."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.engine.loading import read_yaml

FALLBACK_CODE = "OTHER"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class CrisisLine(_Strict):
    """One helpline: who answers, how to reach them, when."""

    name: str = Field(min_length=2, max_length=100)
    contact: str = Field(min_length=3, max_length=200)
    hours: str | None = Field(default=None, max_length=100)

    def sentence(self) -> str:
        hours = f" ({self.hours.lower()})" if self.hours else ""
        return f"{self.name}: {self.contact}{hours}."


class CrisisEntry(_Strict):
    """The crisis numbers for one country, or the fallback for everywhere else."""

    code: str = Field(pattern=r"^([A-Z]{2}|OTHER)$")
    name: str = Field(min_length=2, max_length=100)
    checked_on: date
    emergency: str = Field(min_length=2, max_length=120)
    lines: list[CrisisLine] = Field(min_length=1)
    # A safety-plan step for this country's most common means (in the US, firearms).
    means_safety: str | None = Field(default=None, min_length=20, max_length=400)

    def emergency_sentence(self) -> str:
        return f"If you are in immediate danger, call {self.emergency}."

    def sentences(self) -> list[str]:
        """Every line as a plain sentence, then the emergency number."""
        return [line.sentence() for line in self.lines] + [self.emergency_sentence()]

    def first_line(self) -> str:
        line = self.lines[0]
        return f"{line.name} ({line.contact.lower()})"


class CrisisDirectory(_Strict):
    """All crisis entries; unknown countries get the fallback entry."""

    fallback: str = Field(pattern=r"^[A-Z]+$")
    entries: list[CrisisEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_entry_per_code(self) -> CrisisDirectory:
        duplicates = [c for c, n in Counter(e.code for e in self.entries).items() if n > 1]
        if duplicates:
            raise ValueError(f"duplicate country codes: {', '.join(sorted(duplicates))}")
        if self.fallback not in {e.code for e in self.entries}:
            raise ValueError(f"the fallback entry {self.fallback!r} is missing")
        return self

    def for_country(self, code: str | None) -> CrisisEntry:
        """The entry for an ISO country code (any case); the fallback when unknown."""
        wanted = (code or "").strip().upper()
        by_code = {e.code: e for e in self.entries}
        return by_code.get(wanted) or by_code[self.fallback]

    def countries(self) -> list[tuple[str, str]]:
        """(code, name) for a settings dropdown, by name, with the fallback last."""
        named = sorted(
            ((e.code, e.name) for e in self.entries if e.code != self.fallback),
            key=lambda pair: pair[1],
        )
        return [*named, (self.fallback, self.for_country(self.fallback).name)]


def load_crisis(path: str | Path) -> CrisisDirectory:
    """Read and validate the crisis resources YAML file."""
    return read_yaml(path, CrisisDirectory)
