"""Short form of bench/durability.py: 10 x kill -9 under concurrent writers, nothing lost.

Runs on the suite's database: SQLite by default, PostgreSQL with TEST_DATABASE=postgres
(`make test` does both). The bench runs 50 kills on both and prints the figures.
"""

from __future__ import annotations

import pytest

from tests.support.durability import run

pytestmark = pytest.mark.slow


def test_no_acknowledged_check_in_is_lost_or_duplicated_across_crashes(settings):
    kind = "postgres" if settings.DATABASE_URL.startswith("postgresql") else "sqlite"
    report = run(settings.DATABASE_URL, kind, kills=10, writers=4, seed=6)
    print(report.line())
    assert report.acknowledged >= 20, report.line()
    assert report.replays + report.retries > 0, "no crash hit a writer: the test proves nothing"
    assert (report.lost, report.duplicated, report.unacknowledged_stored) == (0, 0, 0)
    assert report.integrity.startswith("ok"), report.integrity
    assert report.anomalies == []
