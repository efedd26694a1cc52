"""Every stored check-in counts (invariant 14): a week recorded afterwards, or a check-in
removed, changes the later results exactly as if the history had always been so; each
result names its rules version; `python -m app.cli rescore` re-evaluates everything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import cli
from app.models import CheckIn
from app.settings import Settings
from tests.conftest import signup
from tests.helpers import best_answers, post_checkin, questionnaire, with_domain

NOW = datetime.now(UTC).replace(microsecond=0)


def _at(days_ago: int) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def _weeks(q: dict[str, Any]) -> list[tuple[int, dict[str, int]]]:
    """Four weekly check-ins of someone who felt unheard every week (a pattern that needs
    history: one week alone is not a verdict)."""
    unheard = with_domain(q, best_answers(q), "heard", "worst")
    return [(28, unheard), (21, unheard), (14, unheard), (7, unheard)]


def _verdict(result: dict[str, Any]) -> tuple[Any, ...]:
    return (
        result["therapy_week"],
        result["scores"],
        [s["id"] for s in result["signs"]],
        [s["id"] for s in result["suggestions"]],
        result["urgent"],
    )


def _results(client: TestClient) -> list[dict[str, Any]]:
    items = client.get("/api/checkins?limit=100").json()["items"]
    return sorted(items, key=lambda r: r["taken_at"])


def _profile(client: TestClient) -> None:
    started = (NOW - timedelta(days=70)).date().isoformat()
    r = client.put(
        "/api/profile",
        json={"therapy_started_on": started, "country": "GB", "on_medication": True},
    )
    assert r.status_code == 200, r.text


def test_a_week_recorded_afterwards_counts_in_every_later_result(client: TestClient) -> None:
    q = questionnaire(client)
    weeks = _weeks(q)
    signup(client)
    _profile(client)
    for days, answers in weeks:  # in the order they happened
        assert post_checkin(client, answers, taken_at=_at(days)).status_code == 201
    in_order = [_verdict(r) for r in _results(client)]

    client.cookies.clear()
    signup(client)
    _profile(client)
    for days, answers in [weeks[0], weeks[2], weeks[3]]:
        assert post_checkin(client, answers, taken_at=_at(days)).status_code == 201
    before = _verdict(_results(client)[-1])
    missed = post_checkin(client, weeks[1][1], taken_at=_at(weeks[1][0]))  # recorded late
    assert missed.status_code == 201
    afterwards = [_verdict(r) for r in _results(client)]

    assert afterwards == in_order
    assert before != afterwards[-1]  # the latest result did change: the missed week counts
    summary = client.get("/api/summary").json()
    assert _verdict(summary["latest"]) == in_order[-1]


def test_deleting_a_check_in_re_evaluates_the_later_ones_without_it(client: TestClient) -> None:
    q = questionnaire(client)
    weeks = _weeks(q)
    signup(client)
    _profile(client)
    for days, answers in [weeks[0], weeks[2], weeks[3]]:
        assert post_checkin(client, answers, taken_at=_at(days)).status_code == 201
    without = [_verdict(r) for r in _results(client)]
    extra = post_checkin(client, weeks[1][1], taken_at=_at(weeks[1][0])).json()
    assert _verdict(_results(client)[-1]) != without[-1]

    r = client.delete(f"/api/checkins/{extra['id']}")
    assert r.status_code == 204
    assert [_verdict(r) for r in _results(client)] == without
    assert client.get(f"/api/checkins/{extra['id']}").status_code == 404
    assert client.delete(f"/api/checkins/{extra['id']}").status_code == 404


def test_someone_else_s_check_in_cannot_be_deleted(client: TestClient, engine: Engine) -> None:
    q = questionnaire(client)
    signup(client)
    _profile(client)
    theirs = post_checkin(client, best_answers(q)).json()
    client.cookies.clear()
    signup(client)
    assert client.delete(f"/api/checkins/{theirs['id']}").status_code == 404
    with Session(engine) as db:
        n = db.exec(text("SELECT count(*) FROM checkin")).one()[0]  # type: ignore[call-overload]
    assert n == 1


def test_every_result_names_the_rules_it_was_made_with(client: TestClient) -> None:
    q = questionnaire(client)
    signup(client)
    _profile(client)
    made = post_checkin(client, best_answers(q)).json()
    assert made["rules_version"] == "2"
    assert client.get(f"/api/checkins/{made['id']}").json()["rules_version"] == "2"
    assert client.get("/api/summary").json()["latest"]["rules_version"] == "2"


def test_rescore_re_evaluates_stored_results_and_says_how_many_changed(
    client: TestClient, settings: Settings, capsys: pytest.CaptureFixture[str], engine: Engine
) -> None:
    q = questionnaire(client)
    signup(client)
    _profile(client)
    for days, answers in _weeks(q):
        assert post_checkin(client, answers, taken_at=_at(days)).status_code == 201
    stored = [_verdict(r) for r in _results(client)]
    # As if an older engine had stored the last two results: no signs, no steps, no version.
    with Session(engine) as db:
        for checkin_id in [r["id"] for r in _results(client)[-2:]]:
            row = db.get(CheckIn, checkin_id)
            assert row is not None
            row.result = {"scores": row.result["scores"], "signs": [], "suggestions": []}
            db.add(row)
        db.commit()
    assert [_verdict(r) for r in _results(client)] != stored

    assert cli.main(["rescore"]) == 0
    said = capsys.readouterr().out
    assert "rescored 4 check-ins of 1 accounts" in said
    assert "2 results changed" in said
    assert [_verdict(r) for r in _results(client)] == stored
    assert cli.main(["rescore"]) == 0
    assert "0 results changed" in capsys.readouterr().out


def _set_stored_scores(engine: Engine, ids: list[str], distress: int, scored_with: str) -> None:
    with Session(engine) as db:
        for checkin_id in ids:
            row = db.get(CheckIn, checkin_id)
            assert row is not None and row.scores is not None
            row.scores = {**row.scores, "distress": {**row.scores["distress"], "value": distress}}
            row.scored_with = scored_with
            db.add(row)
        db.commit()


def test_a_submit_reads_stored_scores_made_under_todays_rules(
    client: TestClient, engine: Engine
) -> None:
    """History is not scored again on every submit; scores from other rules are."""
    q = questionnaire(client)
    signup(client)
    _profile(client)
    heavy = {**best_answers(q), "distress_week": 4}
    first = [post_checkin(client, heavy, taken_at=_at(days)).json() for days in (30, 23)]
    ids = [r["id"] for r in first]
    # Stored as if those weeks had been calm: only a reader of the stored scores sees that.
    with Session(engine) as db:
        row = db.get(CheckIn, ids[0])
        assert row is not None and row.scored_with is not None
        today = row.scored_with  # the rules and questionnaire versions of today
    assert "rules 2" in today and "weekly 2" in today
    _set_stored_scores(engine, ids, distress=0, scored_with=today)
    third = post_checkin(client, heavy, taken_at=_at(16)).json()
    assert "worsening" in [s["id"] for s in third["signs"]]
    # Scores stored under other rules or another questionnaire are scored again.
    _set_stored_scores(engine, ids, distress=0, scored_with="rules 2, weekly 1")
    fourth = post_checkin(client, heavy, taken_at=_at(9)).json()
    assert "worsening" not in [s["id"] for s in fourth["signs"]]
    with Session(engine) as db:
        row = db.get(CheckIn, fourth["id"])
        assert row is not None and row.scored_with == today
        assert row.scores == fourth["scores"]


def test_an_imported_older_history_counts_in_the_results_after_it(client: TestClient) -> None:
    """Invariant 14 through import: the later results are made again with the import."""
    q = questionnaire(client)
    calm, heavy = best_answers(q), {**best_answers(q), "distress_week": 5}
    signup(client)  # the account whose first weeks are in a file
    _profile(client)
    for days in (56, 49):
        assert post_checkin(client, calm, taken_at=_at(days)).status_code == 201
    older = client.get("/api/export").json()

    client.cookies.clear()
    signup(client)
    _profile(client)
    for days in (21, 14, 7):
        assert post_checkin(client, heavy, taken_at=_at(days)).status_code == 201
    before = client.get("/api/summary").json()["latest"]
    assert "worsening" not in [s["id"] for s in before["signs"]]  # heavy from the start
    r = client.post("/api/import", json=older)
    assert r.status_code == 200 and r.json()["imported"] == 2, r.text
    after = client.get("/api/summary").json()["latest"]
    assert after["id"] == before["id"]
    assert "worsening" in [s["id"] for s in after["signs"]]  # calm at the start, after all
