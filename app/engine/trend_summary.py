"""The trend a client is shown per domain: the points since therapy started, where they
started and where they are now. Built from stored results, so nothing is scored here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from app.engine.rules import RuleSet
from app.engine.scoring import as_utc
from app.engine.trends import start_value
from app.engine.types import Band, HigherIs


class StoredScore(TypedDict):
    """One domain score as a stored result keeps it (a DomainScore as JSON)."""

    value: int
    higher_is: HigherIs
    band: Band


@dataclass(frozen=True)
class ScoredCheckIn:
    """A stored check-in as the trend reads it: when, which week, and its scores."""

    checkin_id: str
    taken_at: datetime
    therapy_week: int | None
    scores: Mapping[str, StoredScore]


@dataclass(frozen=True)
class TrendPoint:
    """One check-in's value in one domain."""

    checkin_id: str
    taken_at: datetime
    therapy_week: int | None
    value: int
    band: Band


@dataclass(frozen=True)
class DomainTrend:
    """A domain's points (oldest first) and the numbers read from them.

    `start` is the number the latest result calls "when you started" (the engine's
    baseline, from `start_checkins` check-ins); `first` is simply the first point shown.
    """

    domain: str
    higher_is: HigherIs
    points: tuple[TrendPoint, ...]
    start: int
    start_checkins: int

    @property
    def first(self) -> int:
        return self.points[0].value

    @property
    def latest(self) -> int:
        return self.points[-1].value

    @property
    def change(self) -> int:
        return self.latest - self.first

    @property
    def change_from_start(self) -> int:
        return self.latest - self.start


def taken_since(checkins: Sequence[ScoredCheckIn], since: datetime | None) -> list[ScoredCheckIn]:
    """The check-ins taken at or after `since` (all of them when it is None)."""
    return [c for c in checkins if since is None or as_utc(c.taken_at) >= since]


def domain_trends(
    checkins: Sequence[ScoredCheckIn], since: datetime | None, rules: RuleSet
) -> dict[str, DomainTrend]:
    """Each domain's trend over the check-ins taken at or after `since` (all when None).

    `checkins` is every stored check-in, oldest first. Domains come in the order they
    first appear; a domain takes the direction of its first point. The start reads every
    check-in, also those before `since`.
    """
    points: dict[str, list[TrendPoint]] = {}
    higher_is: dict[str, HigherIs] = {}
    for checkin in taken_since(checkins, since):
        for domain, score in checkin.scores.items():
            higher_is.setdefault(domain, score["higher_is"])
            points.setdefault(domain, []).append(
                TrendPoint(
                    checkin_id=checkin.checkin_id,
                    taken_at=checkin.taken_at,
                    therapy_week=checkin.therapy_week,
                    value=score["value"],
                    band=score["band"],
                )
            )
    return {
        domain: DomainTrend(
            domain,
            higher_is[domain],
            tuple(found),
            *_start(checkins, domain, higher_is[domain], rules),
        )
        for domain, found in points.items()
    }


def _start(
    checkins: Sequence[ScoredCheckIn], domain: str, higher_is: HigherIs, rules: RuleSet
) -> tuple[int, int]:
    """The client's start in a domain and how many check-ins it averages: the engine's
    baseline from every check-in before the latest (all of them, not only those since
    therapy started); the only one when there is just one."""
    values = [c.scores[domain]["value"] for c in checkins if domain in c.scores]
    if checkins and domain in checkins[-1].scores and len(values) > 1:
        values.pop()  # the latest is compared with the start, not part of it
    used = min(len(values), rules.timing.baseline_checkins.value)
    return start_value(values, higher_is, rules), used
