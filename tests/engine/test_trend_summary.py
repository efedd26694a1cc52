"""The per-domain trend built from stored scores: points since the start, the start itself."""

from __future__ import annotations

from datetime import UTC, datetime

from app.engine import DomainTrend, RuleSet, ScoredCheckIn, TrendPoint, domain_trends, taken_since
from app.engine.trend_summary import StoredScore

STARTED = datetime(2026, 1, 1, tzinfo=UTC)


def _score(value: int, higher_is: str = "worse", band: str = "watch") -> StoredScore:
    return {"value": value, "higher_is": higher_is, "band": band}  # type: ignore[typeddict-item]


def _checkin(n: int, when: datetime, **scores: StoredScore) -> ScoredCheckIn:
    return ScoredCheckIn(f"c{n}", when, n, scores)


def test_points_since_the_start_and_a_start_from_every_checkin(rules: RuleSet) -> None:
    checkins = [
        _checkin(0, datetime(2025, 12, 20, 10), distress=_score(25)),  # naive: read as UTC
        _checkin(1, datetime(2026, 1, 7, 10, tzinfo=UTC), distress=_score(50)),
        _checkin(2, datetime(2026, 1, 14, 10, tzinfo=UTC), distress=_score(100, band="concern")),
    ]
    assert [c.checkin_id for c in taken_since(checkins, STARTED)] == ["c1", "c2"]
    assert len(taken_since(checkins, None)) == 3
    [(name, trend)] = domain_trends(checkins, STARTED, rules).items()
    assert name == "distress"
    assert trend == DomainTrend(
        domain="distress",
        higher_is="worse",
        points=(
            TrendPoint("c1", datetime(2026, 1, 7, 10, tzinfo=UTC), 1, 50, "watch"),
            TrendPoint("c2", datetime(2026, 1, 14, 10, tzinfo=UTC), 2, 100, "concern"),
        ),
        start=37,  # wellness 75 and 50 from the two before the latest: 62.5 -> 63 -> 37
        start_checkins=2,
    )
    assert (trend.first, trend.latest, trend.change, trend.change_from_start) == (50, 100, 50, 63)


def test_domains_keep_the_order_they_first_appear_in(rules: RuleSet) -> None:
    when = datetime(2026, 1, 7, tzinfo=UTC)
    checkins = [
        _checkin(1, when, hope=_score(40, "better"), distress=_score(10)),
        _checkin(2, when, coping=_score(60, "better"), hope=_score(50, "better")),
    ]
    trends = domain_trends(checkins, None, rules)
    assert list(trends) == ["hope", "distress", "coping"]
    # A domain missing from the latest check-in: every value counts towards its start.
    assert (trends["distress"].start, trends["distress"].start_checkins) == (10, 1)
    # One check-in only: the start is that one, so nothing has changed.
    assert (trends["coping"].start, trends["coping"].change_from_start) == (60, 0)
    assert (trends["hope"].start, trends["hope"].change_from_start) == (40, 10)


def test_no_checkins_since_the_start_no_trend(rules: RuleSet) -> None:
    before = [_checkin(0, datetime(2025, 12, 1, tzinfo=UTC), distress=_score(25))]
    assert domain_trends(before, STARTED, rules) == {}
    assert domain_trends([], None, rules) == {}
