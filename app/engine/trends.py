"""The client's own history: baseline, reliable change, and persistent patterns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.engine.questionnaire import Questionnaire
from app.engine.rules import RuleSet
from app.engine.scoring import as_utc, round_half_up, score, therapy_week
from app.engine.types import CheckInRecord, DomainScore, Profile

_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Point:
    """One scored check-in on the client's timeline."""

    taken_at: datetime
    answers: Mapping[str, int]
    scores: dict[str, DomainScore]
    week: int  # therapy week, counted from the first check-in when the start is unknown

    def band(self, domain: str) -> str | None:
        found = self.scores.get(domain)
        return found.band if found else None


@dataclass(frozen=True)
class Change:
    """A domain's move from the baseline to this check-in, in its own direction."""

    domain: str
    before: int
    after: int
    rising_is_worse: bool
    rc_points: int
    baseline_size: int

    @property
    def improvement(self) -> int:
        """Points moved toward the better end (negative = worse)."""
        return self.before - self.after if self.rising_is_worse else self.after - self.before

    @property
    def reliably_worse(self) -> bool:
        return -self.improvement > self.rc_points

    @property
    def reliably_better(self) -> bool:
        return self.improvement > self.rc_points


def timeline(
    questionnaire: Questionnaire,
    rules: RuleSet,
    profile: Profile,
    history: Sequence[CheckInRecord],
    current: CheckInRecord,
) -> list[Point]:
    """Earlier check-ins (strictly before `current`, oldest first) followed by `current`."""
    now = as_utc(current.taken_at)
    earlier = [r for r in history if as_utc(r.taken_at) < now]
    earlier.sort(key=lambda r: (as_utc(r.taken_at), sorted(r.answers.items())))
    records = [*earlier, current]
    origin = profile.therapy_started_on or as_utc(records[0].taken_at).date()
    return [
        Point(
            taken_at=as_utc(r.taken_at),
            answers=r.answers,
            scores=score(questionnaire, r.answers, profile.on_medication, rules),
            week=therapy_week(origin, r.taken_at) or 0,
        )
        for r in records
    ]


def changes(points: Sequence[Point], rules: RuleSet) -> dict[str, Change]:
    """Trend-domain changes of the last point from the baseline (the first earlier points)."""
    *earlier, last = points
    baseline = earlier[: rules.timing.baseline_checkins.value]
    found: dict[str, Change] = {}
    for domain in rules.scoring.trend_domains.value:
        now = last.scores.get(domain)
        before = [p.scores[domain].value for p in baseline if domain in p.scores]
        if now is None or not before:
            continue
        found[domain] = Change(
            domain=domain,
            before=round_half_up(sum(before) / len(before)),
            after=now.value,
            rising_is_worse=now.higher_is == "worse",
            rc_points=rules.rc_points,
            baseline_size=len(before),
        )
    return found


def alliance_concern(point: Point) -> bool:
    return "concern" in (point.band("heard"), point.band("connection"))


def stagnant(points: Sequence[Point], rules: RuleSet) -> bool:
    """No reliable improvement from the baseline at a point past the review week.

    Exempt: progress already in its good band (worse distress is the worsening sign's job).
    With no earlier check-in there is nothing to improve from, so it counts as flat.
    """
    last = points[-1]
    if last.week < max(6, rules.timing.no_progress_from_week.value):
        return False
    if not any(d in last.scores for d in ("progress", "distress")):
        return False
    if last.band("progress") == "good":
        return False
    return not any(c.reliably_better for c in changes(points, rules).values())


@dataclass(frozen=True)
class Run:
    """Consecutive check-ins, ending with the current one, where a pattern held."""

    checkins: int
    days: float

    def at_least(self, checkins: int, days: int) -> bool:
        return self.checkins >= checkins and self.days >= days


def run_back(points: Sequence[Point], holds: Callable[[int], bool]) -> Run:
    """Count back from the last point while `holds(index)` is true."""
    count = 0
    for index in range(len(points) - 1, -1, -1):
        if not holds(index):
            break
        count += 1
    if count == 0:
        return Run(0, 0.0)
    first, last = points[-count], points[-1]
    return Run(count, (last.taken_at - first.taken_at).total_seconds() / _DAY_SECONDS)


def alliance_run(points: Sequence[Point]) -> Run:
    return run_back(points, lambda i: alliance_concern(points[i]))


def stagnation_run(points: Sequence[Point], rules: RuleSet) -> Run:
    return run_back(points, lambda i: stagnant(points[: i + 1], rules))


def span_days(points: Sequence[Point]) -> float:
    return (points[-1].taken_at - points[0].taken_at).total_seconds() / _DAY_SECONDS
