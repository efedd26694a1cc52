"""Everything the sign and suggestion rules read about one check-in, computed once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from app.engine.crisis import CrisisEntry
from app.engine.questionnaire import Item, Questionnaire
from app.engine.rules import RuleSet
from app.engine.scoring import valid_answer, wellness
from app.engine.trends import (
    Course,
    Pattern,
    Point,
    Series,
    all_series,
    alliance_concern,
    courses_at,
    expected_level,
    pattern,
    reliably_better,
    span_days,
    stagnant_at,
)
from app.engine.types import Profile

LifeSource = Literal["outside", "therapy"]
Reference = Literal["start", "best"]
ALLIANCE_DOMAINS = ("heard", "connection")


@dataclass(frozen=True)
class Fall:
    """A trend domain that is worse than a reference level (the start or the best recent)."""

    course: Course
    reference: Reference
    before: float  # wellness at the reference
    after: float  # wellness now (reliable) or over the last two check-ins (watch)
    reliable: bool


@dataclass(frozen=True)
class Lag:
    """A domain below its expected course for this week (off_track)."""

    course: Course
    expected: float
    weeks: int  # weeks of the expected course so far, counted from the baseline


@dataclass(frozen=True)
class Context:
    questionnaire: Questionnaire
    rules: RuleSet
    crisis: CrisisEntry
    profile: Profile
    points: Sequence[Point]  # oldest first, the current check-in last

    @property
    def current(self) -> Point:
        return self.points[-1]

    @property
    def previous(self) -> Point | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def week(self) -> int:
        """The therapy week, counted from the first check-in when the start is unknown."""
        return self.current.week

    @property
    def start_known(self) -> bool:
        return self.profile.therapy_started_on is not None

    @property
    def early(self) -> bool:
        """The first weeks of therapy, only ever with a known start (invariant 9); a
        check-in before the start (week 0) is not in therapy yet."""
        return self.start_known and 1 <= self.week <= self.early_weeks

    @property
    def early_weeks(self) -> int:
        return max(6, self.rules.timing.early_weeks.value)

    # --- change over time -------------------------------------------------------------

    @cached_property
    def series(self) -> dict[str, Series]:
        return all_series(self.points, self.rules)

    def courses_at(self, index: int) -> dict[str, Course]:
        """The trend domains' courses as they stood at points[index]."""
        return courses_at(self.points, index, self.series, self.rules)

    @cached_property
    def courses(self) -> dict[str, Course]:
        return self.courses_at(len(self.points) - 1)

    @cached_property
    def falls(self) -> list[Fall]:
        """Per trend domain, the strongest reason it counts as worse, if any (invariant 10)."""
        rc = self.rules.rc_points
        watch = self.rules.reliable_change.watch_points.value
        found = []
        for course in self.courses.values():
            refs: list[tuple[Reference, float]] = [("start", course.start)]
            if course.best is not None and course.best > course.start:
                refs.append(("best", course.best))
            reliable = [(r, lvl) for r, lvl in refs if lvl - course.now > rc]
            watched = [(r, lvl) for r, lvl in refs if lvl - course.recent > watch]
            if reliable:
                ref, level = reliable[-1]
                found.append(Fall(course, ref, level, course.now, True))
            elif watched:
                ref, level = watched[-1]
                found.append(Fall(course, ref, level, course.recent, False))
        return found

    @cached_property
    def improvements(self) -> list[Course]:
        """Reliably better than at the start, and not reliably fallen from the best since."""
        fallen = {f.course.domain for f in self.falls if f.reliable}
        return [
            c
            for c in self.courses.values()
            if reliably_better(c, self.rules) and c.domain not in fallen
        ]

    @cached_property
    def lags(self) -> list[Lag]:
        """Trend domains below the tolerance band of their expected course (off_track)."""
        expected = self.rules.expected_response
        if len(self.points) < expected.from_checkin.value:
            return []
        if self.week < 1:
            return []  # not in therapy yet: nothing is expected to have changed
        # The curve runs from the client's baseline: a late joiner is not held to weeks
        # of therapy we know nothing about.
        weeks = self.week - max(self.points[0].week, 1) + 1
        found = []
        for domain in expected.domains.value:
            course = self.courses.get(domain)
            good_from = self.rules.band_rule(domain).watch_below
            if course is None or course.start >= good_from or course.now >= good_from:
                continue
            if reliably_better(course, self.rules):
                continue
            level = expected_level(course.start, weeks, self.rules)
            if course.now < level - expected.tolerance.value:
                found.append(Lag(course, level, weeks))
        return found

    @cached_property
    def stagnant(self) -> bool:
        return stagnant_at(self.current, self.rules, lambda: self.courses)

    @cached_property
    def stagnation(self) -> Pattern:
        def at(i: int) -> bool:
            return stagnant_at(self.points[i], self.rules, lambda: self.courses_at(i))

        return pattern(self.points, self.rules.patterns.stagnation_window.value, at, by_week=True)

    # --- the alliance -----------------------------------------------------------------

    def alliance_flags(
        self, domain: str
    ) -> tuple[list[tuple[Item, int]], list[tuple[Item, int, int]]]:
        """This check-in's middling-or-lower answers, and the answers that dropped a step or
        more since last time as (item, before, now), for one alliance domain."""
        watch_at = self.rules.patterns.alliance_item_watch_at.value
        low = [(it, v) for it, v in self.answered(domain) if it.wellness(v) <= watch_at]
        drops = []
        before = self.previous.answers if self.previous else {}
        for item, now in self.answered(domain):
            then = valid_answer(item, before.get(item.id))
            step = 100 / (item.max - item.min)
            if then is not None and item.wellness(then) - item.wellness(now) >= step - 1e-9:
                drops.append((item, then, now))
        return low, drops

    @cached_property
    def alliance_signs_due(self) -> set[str]:
        """The alliance domains that raise a sign this week, at any level (invariant 12)."""
        due = set()
        for domain in ALLIANCE_DOMAINS:
            low, drops = self.alliance_flags(domain)
            if self.band(domain) in ("concern", "watch") or low or drops:
                due.add(domain)
        return due

    @property
    def alliance_good(self) -> bool:
        return not self.alliance_signs_due

    @cached_property
    def alliance_pattern(self) -> Pattern:
        window = self.rules.patterns.alliance_window.value
        return pattern(
            self.points, window, lambda i: alliance_concern(self.points[i]), by_week=True
        )

    @property
    def alliance_persistent(self) -> bool:
        patterns = self.rules.patterns
        return bool(self.alliance_signs_due) and self.alliance_pattern.persistent(
            patterns.alliance_needed.value, patterns.alliance_min_days.value
        )

    # --- this week ----------------------------------------------------------------------

    @cached_property
    def session_pattern(self) -> Pattern:
        window = self.rules.patterns.session_harm_window.value
        return pattern(
            self.points, window, lambda i: self.points[i].band("session_effect") == "concern"
        )

    @cached_property
    def session_worst(self) -> list[tuple[Item, int]]:
        return [(it, v) for it, v in self.answered("session_effect") if it.wellness(v) == 0]

    @property
    def session_harm(self) -> bool:
        """Invariant 7: the worst answer once, or the concern band in 2 of the last 4."""
        needed = self.rules.patterns.session_harm_needed.value
        return bool(self.session_worst) or self.session_pattern.shown >= needed

    @property
    def session_hard(self) -> bool:
        """Sessions left the client worse this week, short of invariant 7's pattern."""
        return self.band("session_effect") == "concern"

    @cached_property
    def risk_answers(self) -> list[tuple[Item, int]]:
        """Safety answers above the item minimum; out-of-range high answers count too."""
        found = []
        for item in self.questionnaire.items:
            value = self.current.answers.get(item.id)
            if item.domain != "safety" or isinstance(value, bool) or not isinstance(value, int):
                continue
            if value > item.min:
                found.append((item, value))
        return found

    @property
    def risk_frequent(self) -> bool:
        """Thoughts of self-harm on most days: the upper half of the safety scale."""
        return any(item.wellness(min(value, item.max)) < 50 for item, value in self.risk_answers)

    @property
    def enough_evidence(self) -> bool:
        """Invariant 2's floor for suggesting another therapist: 3 check-ins over 14 days."""
        return len(self.points) >= 3 and span_days(self.points) >= 14

    @cached_property
    def life_source(self) -> LifeSource | None:
        found = self.current.scores.get("life_events")
        if found is None:
            return None
        well = wellness(found)
        if well >= self.rules.patterns.life_outside_from.value:
            return "outside"
        if well < self.rules.patterns.life_therapy_below.value:
            return "therapy"
        return None

    def low(self, domain: str) -> bool:
        """A follow-up domain (support, motivation) answered in its concern band."""
        return self.band(domain) == "concern"

    def answered(self, domain: str) -> list[tuple[Item, int]]:
        """This check-in's valid answers in one domain, worst first."""
        pairs = []
        for item in self.questionnaire.applicable_items(self.profile.on_medication):
            if item.domain != domain:
                continue
            value = valid_answer(item, self.current.answers.get(item.id))
            if value is not None:
                pairs.append((item, value))
        return sorted(pairs, key=lambda pair: pair[0].wellness(pair[1]))

    def band(self, domain: str) -> str | None:
        return self.current.band(domain)

    def name(self, domain: str) -> str:
        return self.rules.wording.domain_name(domain)
