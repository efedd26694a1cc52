"""Domain scores (0-100) with bands, and the therapy week of a check-in."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from app.engine.questionnaire import Item, Questionnaire
from app.engine.rules import BandRule, RuleSet, load_rules
from app.engine.types import DOMAINS, Band, DomainScore

DATA_DIR = Path(__file__).resolve().parents[2] / "questionnaires"


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The bundled questionnaires/rules.yaml, loaded once (used when no rules are given)."""
    return load_rules(DATA_DIR / "rules.yaml")


def round_half_up(value: float) -> int:
    """Round .5 up, as people expect (Python's round() sends 62.5 to 62)."""
    return math.floor(value + 0.5)


def as_utc(moment: datetime) -> datetime:
    """Timezone-aware UTC; a naive time is taken to be UTC already."""
    if moment.tzinfo is UTC:
        return moment  # already (what the database hands back): nothing to convert
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def therapy_week(started_on: date | None, taken_at: datetime) -> int | None:
    """Week of therapy a check-in falls in: days 0-6 after the start are week 1.

    None when the start is unknown. A check-in dated before the start is week 0
    ("before therapy"), never negative. Dates are read in UTC.
    """
    if started_on is None:
        return None
    days = (as_utc(taken_at).date() - started_on).days
    return 0 if days < 0 else days // 7 + 1


def valid_answer(item: Item, value: object) -> int | None:
    """The answer if it is a whole number on the item's scale; otherwise None (ignored)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if item.min <= value <= item.max else None


def wellness(domain_score: DomainScore) -> int:
    """The score read so that 100 is always best, whichever way the domain runs."""
    if domain_score.higher_is == "better":
        return domain_score.value
    return 100 - domain_score.value


def band_for(rule: BandRule, well: int, worst_answer: bool) -> Band:
    if worst_answer or well < rule.concern_below:
        return "concern"
    if well < rule.watch_below:
        return "watch"
    return "good"


def score(
    questionnaire: Questionnaire,
    answers: Mapping[str, int],
    on_medication: bool,
    rules: RuleSet | None = None,
) -> dict[str, DomainScore]:
    """Score each answered domain 0-100 and band it; unknown or invalid answers are skipped.

    Only items asked of this client count, so side effects are scored only on medication.
    Without `rules`, the bundled questionnaires/rules.yaml supplies the bands.
    """
    rules = rules or default_rules()
    flagged = set(rules.scoring.worst_answer_flags.value)
    by_domain: dict[str, list[tuple[Item, int]]] = {}
    for item in questionnaire.applicable_items(on_medication):
        value = valid_answer(item, answers.get(item.id))
        if value is not None:
            by_domain.setdefault(item.domain, []).append((item, value))
    scores: dict[str, DomainScore] = {}
    for domain in DOMAINS:
        pairs = by_domain.get(domain)
        if not pairs:
            continue
        raw = sum((v - it.min) / (it.max - it.min) * 100 for it, v in pairs) / len(pairs)
        value = round_half_up(raw)
        higher_is = pairs[0][0].higher_is
        well = value if higher_is == "better" else 100 - value
        worst = domain in flagged and any(it.wellness(v) == 0 for it, v in pairs)
        scores[domain] = DomainScore(
            value=value,
            higher_is=higher_is,
            band=band_for(rules.band_rule(domain), well, worst),
        )
    return scores
