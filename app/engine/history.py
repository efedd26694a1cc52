"""How much of a client's history the rules read, and a history given in two parts.

An evaluation reads the client's first check-ins (the baseline, the therapy week when the
start is unknown, the first check-in's time) and the recent ones (the patterns, the best
recent level, last time's answers); nothing in between. A long history can so be handed
over as its first check-ins and its recent ones, with the ones between left out (`gap`),
and give exactly the result the whole of it gives. When the parts turn out not to hold
everything the rules read (check-ins without a trend domain's answers, say), `evaluate`
raises IncompleteHistory and the caller hands over the whole history instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.engine.rules import RuleSet
from app.engine.scoring import as_utc
from app.engine.trends import Point, looked_at
from app.engine.types import CheckInRecord

_DAY_SECONDS = 86_400


class IncompleteHistory(Exception):
    """The parts of a history given don't hold everything the rules read of it."""


@dataclass(frozen=True)
class HistoryWindow:
    """What to read of the earlier check-ins so that, as a rule, nothing else is needed.

    `first` check-ins from the start, and from the end every check-in of the last `days`
    days plus the `recent` newest before those. Each part holds every check-in taken at
    the times it reaches (check-ins taken at the same moment are never split).
    """

    first: int
    recent: int
    days: int


def history_window(rules: RuleSet) -> HistoryWindow:
    """The window `rules` read: the baseline check-ins, the patterns' windows (in check-ins
    and in weeks) and, before the oldest check-in a pattern looks at, the best-level window."""
    patterns, timing = rules.patterns, rules.timing
    by_count = max(patterns.alliance_window.value, patterns.session_harm_window.value)
    stagnation = patterns.stagnation_window.value
    return HistoryWindow(
        first=timing.baseline_checkins.value,
        recent=max(by_count, stagnation + timing.best_recent_window.value),
        days=7 * max(patterns.alliance_window.value, stagnation),
    )


@dataclass(frozen=True)
class History:
    """Earlier check-ins in two parts: the `first` ones and the `recent` ones, in any order
    within each. With `gap`, check-ins between the two parts were left out: every one of
    `first` is older than every one of `recent`, and neither part splits a moment."""

    first: Sequence[CheckInRecord] = ()
    recent: Sequence[CheckInRecord] = ()
    gap: bool = False

    @property
    def records(self) -> list[CheckInRecord]:
        return [*self.first, *self.recent]


def split_history(records: Sequence[CheckInRecord], before: datetime, rules: RuleSet) -> History:
    """The window of `records` (any order) that an evaluation at `before` reads, as the
    database query reads it: used where the whole history is at hand already."""
    earlier = sorted((r for r in records if as_utc(r.taken_at) < before), key=_moment)
    wanted = history_window(rules)
    cut = before - timedelta(days=wanted.days)
    older = [r for r in earlier if as_utc(r.taken_at) <= cut]
    if len(older) < wanted.recent or len(earlier) < wanted.first:
        return History(first=earlier)
    first_to = _moment(earlier[wanted.first - 1])
    recent_from = _moment(older[-wanted.recent])
    if first_to >= recent_from:
        return History(first=earlier)
    first = [r for r in earlier if _moment(r) <= first_to]
    recent = [r for r in earlier if _moment(r) >= recent_from]
    return History(first=first, recent=recent, gap=len(first) + len(recent) < len(earlier))


def _moment(record: CheckInRecord) -> datetime:
    return as_utc(record.taken_at)


def check_complete(points: Sequence[Point], first: int, rules: RuleSet) -> None:
    """Raise IncompleteHistory unless `points` (the first part's `first` points, then the
    recent part's, then the current check-in) hold all the rules read of the whole
    history with a gap after the first part."""
    last = len(points) - 1
    patterns, timing = rules.patterns, rules.timing
    by_count = max(
        patterns.alliance_window.value,
        patterns.stagnation_window.value,
        patterns.session_harm_window.value,
    )
    # How many check-ins there are only matters up to these counts (off_track, invariant 2).
    enough = max(3, rules.expected_response.from_checkin.value)
    if first < 1 or last - first < by_count - 1 or len(points) < enough:
        raise IncompleteHistory("too few check-ins on either side of the gap")
    weeks = max(patterns.alliance_window.value, patterns.stagnation_window.value)
    reach = (points[last].taken_at - points[first].taken_at).total_seconds()
    if reach < weeks * 7 * _DAY_SECONDS:
        raise IncompleteHistory("left-out check-ins may fall in a pattern's weeks")
    # The oldest check-in whose own course the stagnation pattern reads.
    oldest = min(looked_at(points, patterns.stagnation_window.value, by_week=True))
    for domain in rules.scoring.trend_domains.value:
        if sum(domain in p.scores for p in points[:first]) < timing.baseline_checkins.value:
            raise IncompleteHistory(f"the baseline of {domain} is not in the first part")
        if sum(domain in p.scores for p in points[first:oldest]) < timing.best_recent_window.value:
            raise IncompleteHistory(f"the best recent level of {domain} reaches the gap")
