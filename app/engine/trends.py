"""The client's own history: baseline, best recent level, expected course, persistence."""

from __future__ import annotations

from bisect import bisect_left
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
    dated = [(moment, r) for r in history if (moment := as_utc(r.taken_at)) < now]
    earlier = _in_order(dated)
    origin = profile.therapy_started_on or (earlier[0][0] if earlier else now).date()

    def point(moment: datetime, record: CheckInRecord, stored: bool) -> Point:
        scores = record.scores if stored and record.scores is not None else None
        return Point(
            taken_at=moment,
            answers=record.answers,
            scores=scores or score(questionnaire, record.answers, profile.on_medication, rules),
            week=therapy_week(origin, moment) or 0,
        )

    return [*(point(m, r, True) for m, r in earlier), point(now, current, False)]


def _in_order(dated: list[tuple[datetime, CheckInRecord]]) -> list[tuple[datetime, CheckInRecord]]:
    """Oldest first; check-ins taken at the same moment in the order of their answers (as
    sorting by (time, sorted answers) would, read only where times are equal)."""
    dated.sort(key=lambda pair: pair[0])
    start = 0
    for end in range(1, len(dated) + 1):
        if end == len(dated) or dated[end][0] != dated[start][0]:
            if end - start > 1:
                dated[start:end] = sorted(
                    dated[start:end], key=lambda pair: sorted(pair[1].answers.items())
                )
            start = end
    return dated


def course(points: Sequence[Point], domain: str, rules: RuleSet) -> Course | None:
    """The domain's course up to the last point; None without an earlier check-in."""
    return courses_at(points, len(points) - 1, {domain: series(points, domain)}, rules).get(domain)


def courses(points: Sequence[Point], rules: RuleSet) -> dict[str, Course]:
    return courses_at(points, len(points) - 1, all_series(points, rules), rules)


@dataclass(frozen=True)
class Series:
    """A domain's wellness at the points that have a score for it, oldest first."""

    at: list[int]  # the points' indexes
    wells: list[int]


def series(points: Sequence[Point], domain: str) -> Series:
    found = [(i, p.well(domain)) for i, p in enumerate(points)]
    return Series([i for i, w in found if w is not None], [w for _, w in found if w is not None])


def all_series(points: Sequence[Point], rules: RuleSet) -> dict[str, Series]:
    return {d: series(points, d) for d in rules.scoring.trend_domains.value}


def courses_at(
    points: Sequence[Point], index: int, every: Mapping[str, Series], rules: RuleSet
) -> dict[str, Course]:
    """Each domain's course up to points[index] (the domains with a course there), read
    from their series: only the first and the recent values, however long the history."""
    found = {}
    first_n, window_n = rules.timing.baseline_checkins.value, rules.timing.best_recent_window.value
    for domain, values in every.items():
        score_now = points[index].scores.get(domain)
        count = bisect_left(values.at, index)  # how many values come before this point
        if score_now is None or count == 0:
            continue
        window = values.wells[max(0, count - window_n) : count]
        pairs = [(a + b) / 2 for a, b in pairwise(window)]
        now = wellness(score_now)
        found[domain] = Course(
            domain=domain,
            higher_is=score_now.higher_is,
            start=baseline(values.wells[: min(count, first_n)], rules),
            baseline_size=min(count, first_n),
            best=max(pairs) if pairs else None,
            now=now,
            recent=(now + window[-1]) / 2,
        )
    return found


def reliably_better(found: Course, rules: RuleSet) -> bool:
    return found.now - found.start > rules.rc_points


def alliance_concern(point: Point) -> bool:
    return "concern" in (point.band("heard"), point.band("connection"))


def stagnant(
    points: Sequence[Point],
    rules: RuleSet,
    found: Callable[[], Mapping[str, Course]] | None = None,
) -> bool:
    """No reliable improvement from the baseline at a point past the review week.

    Exempt: every trend domain already in its good band (nothing to be stuck on), and a
    recent reliable improvement (a fall from either is the worsening sign's job).
    With no earlier check-in there is nothing to improve from, so it counts as flat.
    `found` gives the courses up to the last point when the caller has them at hand.
    """
    return stagnant_at(points[-1], rules, found or (lambda: courses(points, rules)))


def stagnant_at(last: Point, rules: RuleSet, found: Callable[[], Mapping[str, Course]]) -> bool:
    """`stagnant` for the points up to `last`, whose courses `found` gives."""
    if last.week < max(6, rules.timing.no_progress_from_week.value):
        return False
    present = [d for d in rules.scoring.trend_domains.value if d in last.scores]
    if not present or all(last.band(d) == "good" for d in present):
        return False
    # A client who did improve reliably and then fell back is worse, not stuck: that is
    # the worsening sign's to say (invariant 10).
    return not any(
        reliably_better(c, rules) or (c.best is not None and c.best - c.start > rules.rc_points)
        for c in found().values()
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
    looked = looked_at(points, window, by_week)
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


def looked_at(points: Sequence[Point], window: int, by_week: bool = False) -> list[int]:
    """The indexes of the check-ins `pattern` looks at: the last `window`, and with
    `by_week` also every one taken in the last `window` weeks."""
    last = len(points) - 1
    if not by_week:
        return [i for i in range(len(points)) if i > last - window]
    cutoff = window * 7 * _DAY_SECONDS
    return [
        i
        for i, p in enumerate(points)
        if i > last - window or (points[last].taken_at - p.taken_at).total_seconds() < cutoff
    ]


def span_days(points: Sequence[Point]) -> float:
    return (points[-1].taken_at - points[0].taken_at).total_seconds() / _DAY_SECONDS
