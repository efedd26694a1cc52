"""The client's own history: baseline, best recent level, expected course, persistence."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from app.engine.questionnaire import Questionnaire
from app.engine.rules import RuleSet
from app.engine.scoring import as_utc, round_half_up, score, therapy_week, wellness
from app.engine.types import CheckInRecord, DomainScore, HigherIs, Profile

_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Point:
    """One scored check-in on the client's timeline."""

    taken_at: datetime
    answers: Mapping[str, int]
    scores: Mapping[str, DomainScore]
    week: int  # therapy week, counted from the first check-in when the start is unknown

    def band(self, domain: str) -> str | None:
        found = self.scores.get(domain)
        return found.band if found else None

    def well(self, domain: str) -> int | None:
        found = self.scores.get(domain)
        return wellness(found) if found else None


@dataclass(frozen=True)
class Course:
    """A trend domain's course, read as wellness (100 is always best).

    `start` is the client's baseline, `best` their best recent level (the best mean of two
    check-ins in a row before this one), `now` this check-in and `recent` the mean of this
    check-in and the one before it.
    """

    domain: str
    higher_is: HigherIs
    start: float
    baseline_size: int
    best: float | None
    now: int
    recent: float

    def shown(self, well: float) -> int:
        """A wellness reading back on the domain's own 0-100 scale, as the client sees it."""
        return shown_value(well, self.higher_is)


def shown_value(well: float, higher_is: HigherIs) -> int:
    """A wellness reading back on the domain's own 0-100 scale: rounded as wellness first,
    so a .5 always rounds towards better, whichever way the domain runs."""
    value = round_half_up(well)
    return value if higher_is == "better" else 100 - value


def baseline(wells: Sequence[float], rules: RuleSet) -> float:
    """The client's own start, as wellness: the mean of their first few check-ins."""
    first = wells[: rules.timing.baseline_checkins.value]
    return sum(first) / len(first)


def start_value(values: Sequence[int], higher_is: HigherIs, rules: RuleSet) -> int:
    """The start the client is shown, on the domain's own scale, from values on that scale
    (oldest first): the same number the signs call "when you started"."""
    wells = [v if higher_is == "better" else 100 - v for v in values]
    return shown_value(baseline(wells, rules), higher_is)


def timeline(
    questionnaire: Questionnaire,
    rules: RuleSet,
    profile: Profile,
    history: Sequence[CheckInRecord],
    current: CheckInRecord,
) -> list[Point]:
    """Earlier check-ins (strictly before `current`, oldest first) followed by `current`.

    Earlier check-ins that carry stored scores keep them; the others are scored here.
    """
    now = as_utc(current.taken_at)
    earlier = [r for r in history if as_utc(r.taken_at) < now]
    earlier.sort(key=lambda r: (as_utc(r.taken_at), sorted(r.answers.items())))
    origin = profile.therapy_started_on or as_utc((earlier or [current])[0].taken_at).date()

    def point(record: CheckInRecord, stored: bool) -> Point:
        scores = record.scores if stored and record.scores is not None else None
        return Point(
            taken_at=as_utc(record.taken_at),
            answers=record.answers,
            scores=scores or score(questionnaire, record.answers, profile.on_medication, rules),
            week=therapy_week(origin, record.taken_at) or 0,
        )

    return [*(point(r, True) for r in earlier), point(current, False)]


def course(points: Sequence[Point], domain: str, rules: RuleSet) -> Course | None:
    """The domain's course up to the last point; None without an earlier check-in."""
    *earlier, last = points
    found = last.scores.get(domain)
    before = [p.well(domain) for p in earlier]
    values = [v for v in before if v is not None]
    if found is None or not values:
        return None
    window = values[-rules.timing.best_recent_window.value :]
    pairs = [(a + b) / 2 for a, b in pairwise(window)]
    now = wellness(found)
    return Course(
        domain=domain,
        higher_is=found.higher_is,
        start=baseline(values, rules),
        baseline_size=min(len(values), rules.timing.baseline_checkins.value),
        best=max(pairs) if pairs else None,
        now=now,
        recent=(now + values[-1]) / 2,
    )


def courses(points: Sequence[Point], rules: RuleSet) -> dict[str, Course]:
    found = {d: course(points, d, rules) for d in rules.scoring.trend_domains.value}
    return {d: c for d, c in found.items() if c is not None}


def reliably_better(found: Course, rules: RuleSet) -> bool:
    return found.now - found.start > rules.rc_points


def alliance_concern(point: Point) -> bool:
    return "concern" in (point.band("heard"), point.band("connection"))


def stagnant(points: Sequence[Point], rules: RuleSet) -> bool:
    """No reliable improvement from the baseline at a point past the review week.

    Exempt: every trend domain already in its good band (nothing to be stuck on), and a
    recent reliable improvement (a fall from either is the worsening sign's job).
    With no earlier check-in there is nothing to improve from, so it counts as flat.
    """
    last = points[-1]
    if last.week < max(6, rules.timing.no_progress_from_week.value):
        return False
    present = [d for d in rules.scoring.trend_domains.value if d in last.scores]
    if not present or all(last.band(d) == "good" for d in present):
        return False
    # A client who did improve reliably and then fell back is worse, not stuck: that is
    # the worsening sign's to say (invariant 10).
    return not any(
        reliably_better(c, rules) or (c.best is not None and c.best - c.start > rules.rc_points)
        for c in courses(points, rules).values()
    )


def expected_level(start: float, week: int, rules: RuleSet) -> float:
    """Where someone who started at `start` (wellness) is expected to be by `week`.

    A placeholder dose-effect curve: a growing share, 1 - 2^(-week / half-life), of the gap
    between the start and the target level (rules.yaml, expected_response).
    """
    expected = rules.expected_response
    target = expected.target.value
    if start >= target:
        return start
    share = 1 - 2 ** (-max(week, 0) / expected.half_life_weeks.value)
    return start + (target - start) * share


@dataclass(frozen=True)
class Pattern:
    """How often a pattern showed recently, ending with this check-in."""

    shown: int  # check-ins, or separate weeks when counted by week, that showed it
    looked: int  # how many check-ins were looked at
    days: float  # from the first to the last check-in that showed it

    def persistent(self, needed: int, min_days: int) -> bool:
        return self.shown >= needed and self.days >= min_days


# Check-ins closer together than this count as one week (twice-weekly sessions).
_SAME_WEEK_DAYS = 5


def pattern(
    points: Sequence[Point], window: int, holds: Callable[[int], bool], by_week: bool = False
) -> Pattern:
    """Count where `holds(index)` among the last `window` check-ins.

    `by_week` looks at the last `window` weeks too (whichever reaches further back) and
    counts separate weeks rather than check-ins, so twice-weekly check-ins don't count
    double and same-day ones count once. A good or missed week between them resets
    nothing (invariant 11).
    """
    last = len(points) - 1
    looked = [i for i in range(len(points)) if i > last - window]
    if by_week:
        cutoff = window * 7 * _DAY_SECONDS
        looked = [
            i
            for i, p in enumerate(points)
            if i > last - window or (points[last].taken_at - p.taken_at).total_seconds() < cutoff
        ]
    indexes = [i for i in looked if holds(i)]
    if not indexes:
        return Pattern(0, len(looked), 0.0)
    shown = len(indexes)
    if by_week:
        shown, counted = 0, None
        for i in reversed(indexes):
            moment = points[i].taken_at
            if (
                counted is None
                or (counted - moment).total_seconds() >= _SAME_WEEK_DAYS * _DAY_SECONDS
            ):
                shown, counted = shown + 1, moment
    first, final = points[indexes[0]], points[indexes[-1]]
    return Pattern(
        shown, len(looked), (final.taken_at - first.taken_at).total_seconds() / _DAY_SECONDS
    )


def span_days(points: Sequence[Point]) -> float:
    return (points[-1].taken_at - points[0].taken_at).total_seconds() / _DAY_SECONDS
