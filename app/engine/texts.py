"""Schema of the product wording file: domain names, sign titles, next-step texts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.engine.types import DOMAINS, SIGN_IDS, SUGGESTION_IDS, Domain, SignId, SuggestionId


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DomainText(_Strict):
    name: str = Field(min_length=3, max_length=60)
    helping: str | None = Field(default=None, min_length=3, max_length=120)


class SignText(_Strict):
    title: str = Field(min_length=3, max_length=100)


class SuggestionText(_Strict):
    title: str = Field(min_length=3, max_length=100)
    why: str = Field(min_length=20, max_length=600)
    steps: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _steps_are_sentences(self) -> SuggestionText:
        if any(len(step.strip()) < 10 for step in self.steps):
            raise ValueError("every step must be a full sentence")
        return self


# Wording a next step takes in one situation, instead of (why) or before (steps) its own.
VariantId = Literal[
    "urgent_help_brief",
    "urgent_help_frequent",
    "raise_concerns_session_harm",
    "raise_concerns_off_track",
    "adjust_expectations_motivation",
    "adjust_expectations_pacing",
    "change_therapist_stagnation",
    "build_support_low_support",
]
VARIANT_IDS: tuple[str, ...] = VariantId.__args__  # type: ignore[attr-defined]


class Variant(_Strict):
    title: str | None = Field(default=None, min_length=3, max_length=100)
    why: str | None = Field(default=None, min_length=20, max_length=600)
    steps: list[str] = Field(default_factory=list)
    # True: these steps replace the step's own (which speak of another situation).
    instead: bool = False

    @model_validator(mode="after")
    def _something(self) -> Variant:
        if self.why is None and not self.steps:
            raise ValueError("a variant needs a why, steps or both")
        if self.instead and not self.steps:
            raise ValueError("a variant with instead: true needs its own steps")
        if any(len(step.strip()) < 10 for step in self.steps):
            raise ValueError("every step must be a full sentence")
        return self


class Texts(_Strict):
    """Every sign and suggestion id must have its wording; nothing extra is allowed."""

    domains: dict[Domain, DomainText]
    signs: dict[SignId, SignText]
    suggestions: dict[SuggestionId, SuggestionText]
    variants: dict[VariantId, Variant]

    @model_validator(mode="after")
    def _complete(self) -> Texts:
        for kind, have, need in (
            ("domains", self.domains, DOMAINS),
            ("signs", self.signs, SIGN_IDS),
            ("suggestions", self.suggestions, SUGGESTION_IDS),
            ("variants", self.variants, VARIANT_IDS),
        ):
            missing = [key for key in need if key not in have]
            if missing:
                raise ValueError(f"{kind} missing wording for: {', '.join(missing)}")
        return self

    def domain_name(self, domain: str) -> str:
        named: dict[str, str] = {key: text.name for key, text in self.domains.items()}
        return named.get(domain, domain.replace("_", " "))

    def helping(self, domain: str) -> str | None:
        helping: dict[str, str | None] = {k: t.helping for k, t in self.domains.items()}
        return helping.get(domain)

    def variant(self, variant_id: VariantId) -> Variant:
        variants: dict[str, Variant] = {key: value for key, value in self.variants.items()}
        return variants[variant_id]
