"""Schema of the product wording file: domain names, sign titles, next-step texts."""

from __future__ import annotations

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


class Texts(_Strict):
    """Every sign and suggestion id must have its wording; nothing extra is allowed."""

    domains: dict[Domain, DomainText]
    signs: dict[SignId, SignText]
    suggestions: dict[SuggestionId, SuggestionText]

    @model_validator(mode="after")
    def _complete(self) -> Texts:
        for kind, have, need in (
            ("domains", self.domains, DOMAINS),
            ("signs", self.signs, SIGN_IDS),
            ("suggestions", self.suggestions, SUGGESTION_IDS),
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
