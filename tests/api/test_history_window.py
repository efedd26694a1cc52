"""A submit reads only the window of the history the rules look at, with the domain scores
stored with earlier results; every result is still exactly what scoring every earlier
check-in again from its answers gives (PRODUCT.md: the same history, the same result)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import cli
from app.engine import CheckInRecord, Profile, evaluate
from app.engine.scoring import as_utc
from app.models import CheckIn, User
from app.services import checkin_history
from app.services.catalog import Catalog
from tests.conftest import signup
from tests.helpers import best_answers, post_checkin, questionnaire, with_domain

NOW = datetime.now(UTC).replace(microsecond=0)
WEEKS = 50


def _at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def _kinds(q: dict[str, Any]) -> list[dict[str, int]]:
    """Weeks of several kinds, so that trends, patterns and best levels all come into it."""
    asked = {i["id"] for i in q["items"] if not i.get("when")}  # not on medication
    calm = {k: v for k, v in best_answers(q).items() if k in asked}
    return [
        calm,
        with_domain(q, calm, "distress", "worst"),
        with_domain(q, calm, "heard", "worst"),
        with_domain(q, with_domain(q, calm, "progress", "worst"), "distress", "worst"),
        with_domain(q, calm, "connection", "worst"),
    ]


def _history(client: TestClient, q: dict[str, Any]) -> None:
    """A year of weekly check-ins, a stuck stretch, two taken at the same moment, and one
    recorded afterwards in the middle (re-evaluating everything after it)."""
    kinds = _kinds(q)
    started = (NOW - timedelta(weeks=WEEKS + 2)).date().isoformat()
    r = client.put(
        "/api/profile",
        json={"therapy_started_on": started, "country": "GB", "on_medication": False},
    )
    assert r.status_code == 200, r.text
    for week in range(WEEKS, 0, -1):
        answers = kinds[3] if 20 <= week <= 32 else kinds[week % len(kinds)]
        assert post_checkin(client, answers, taken_at=_at(7 * week)).status_code == 201
    assert post_checkin(client, kinds[2], taken_at=_at(7 * 3)).status_code == 201  # a tie
    assert post_checkin(client, kinds[1], taken_at=_at(7 * 25 + 2)).status_code == 201


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """When a submit had to read the whole history (the window was not enough)."""
    calls: list[datetime] = []
    read = checkin_history.everything_before

    def counted(db: Any, catalog: Any, user: Any, before: datetime) -> Any:
        calls.append(before)
        return read(db, catalog, user, before)

    monkeypatch.setattr(checkin_history, "everything_before", counted)
    return calls


def _user_id(engine: Engine) -> int:
    with Session(engine) as db:
        user = db.exec(select(User)).one()
        assert user.id is not None
        return user.id


def _stored(engine: Engine, user_id: int) -> dict[str, dict[str, Any]]:
    with Session(engine) as db:
        rows = db.exec(select(CheckIn).where(CheckIn.user_id == user_id)).all()
        return {
            row.id: {
                "therapy_week": row.therapy_week,
                "urgent": row.urgent,
                **{k: row.result[k] for k in ("scores", "signs", "suggestions")},
            }
            for row in rows
        }


def _rescored(engine: Engine, catalog: Catalog, user_id: int) -> dict[str, dict[str, Any]]:
    """Every stored check-in evaluated against all stored before it, each scored again
    from its answers (no stored score read): what a full re-scoring gives."""
    with Session(engine) as db:
        user = db.get(User, user_id)
        assert user is not None
        rows = db.exec(
            select(CheckIn)
            .where(CheckIn.user_id == user_id)
            .order_by(col(CheckIn.taken_at), col(CheckIn.id))
        ).all()
        profile = Profile(user.therapy_started_on, user.on_medication, user.country)
        every = [CheckInRecord(as_utc(row.taken_at), dict(row.answers)) for row in rows]
        found = {}
        for row, current in zip(rows, every, strict=True):
            result = evaluate(
                questionnaire=catalog.questionnaire,
                rules=catalog.rules,
                crisis=catalog.crisis.for_country(user.country),
                profile=profile,
                history=every,
                current=current,
            )
            found[row.id] = result.model_dump(
                mode="json", include={"therapy_week", "urgent", "scores", "signs", "suggestions"}
            )
        return found


def _as_stored(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("therapy_week", "urgent", "scores", "signs", "suggestions")
    return {k: result[k] for k in keys}


def test_every_result_of_a_long_history_is_what_rescoring_everything_gives(
    client: TestClient, engine: Engine, app: Any, capsys: Any, whole_reads: list[datetime]
) -> None:
    q = questionnaire(client)
    signup(client)
    _history(client, q)
    assert not whole_reads  # the window was always enough
    made = post_checkin(client, _kinds(q)[3])
    assert made.status_code == 201
    user_id = _user_id(engine)
    stored, rescored = _stored(engine, user_id), _rescored(engine, app.state.catalog, user_id)
    assert len(stored) == WEEKS + 3
    assert stored == rescored
    assert _as_stored(made.json()) == rescored[made.json()["id"]]
    assert {s["id"] for s in made.json()["signs"]} >= {"no_progress", "worsening"}
    assert not whole_reads
    assert cli.main(["rescore"]) == 0
    assert "0 results changed" in capsys.readouterr().out


def _spoil_stored_scores(engine: Engine, user_id: int, scored_with: str | None) -> None:
    """Every stored score of distress and progress now says 'fine', under `scored_with`."""
    with Session(engine) as db:
        for row in db.exec(select(CheckIn).where(CheckIn.user_id == user_id)).all():
            assert row.scores is not None
            fine = {"value": 0, "higher_is": "worse", "band": "good"}
            best = {"value": 100, "higher_is": "better", "band": "good"}
            row.scores = {**row.scores, "distress": fine, "progress": best}
            row.scored_with = scored_with
            db.add(row)
        db.commit()


def test_stored_scores_of_other_rules_or_another_profile_are_scored_again(
    client: TestClient, engine: Engine, app: Any, whole_reads: list[datetime]
) -> None:
    q = questionnaire(client)
    signup(client)
    _history(client, q)
    user_id = _user_id(engine)
    catalog: Catalog = app.state.catalog
    heavy = _kinds(q)[3]
    for scored_with in (None, "rules 1, weekly 2", "rules 2, weekly 1"):
        _spoil_stored_scores(engine, user_id, scored_with)
        made = post_checkin(client, heavy).json()
        assert _as_stored(made) == _rescored(engine, catalog, user_id)[made["id"]]
        assert "no_progress" in {s["id"] for s in made["signs"]}
    # Scores made before the medication question applied are not today's either.
    with Session(engine) as db:
        row = db.exec(select(CheckIn).where(CheckIn.id == made["id"])).one()
        today = row.scored_with
    assert today is not None and "on medication" not in today
    _spoil_stored_scores(engine, user_id, today)
    r = client.put(
        "/api/profile",
        json={
            "therapy_started_on": (NOW - timedelta(weeks=WEEKS + 2)).date().isoformat(),
            "country": "GB",
            "on_medication": True,
        },
    )
    assert r.status_code == 200, r.text
    answers = {**heavy, **{i["id"]: i["min"] for i in q["items"] if i["domain"] == "side_effects"}}
    made = post_checkin(client, answers).json()
    assert _as_stored(made) == _rescored(engine, catalog, user_id)[made["id"]]
    with Session(engine) as db:
        row = db.exec(select(CheckIn).where(CheckIn.id == made["id"])).one()
        assert row.scored_with == f"{today}, on medication"
    assert not whole_reads


def test_a_history_whose_first_weeks_lack_a_trend_domain_is_read_whole(
    client: TestClient, engine: Engine, app: Any, whole_reads: list[datetime]
) -> None:
    """The baseline of distress lies beyond the window's first check-ins (an import of
    weeks without those items): the submit reads the whole history, and agrees with it."""
    q = questionnaire(client)
    signup(client)
    _history(client, q)
    user_id = _user_id(engine)
    distress = {i["id"] for i in q["items"] if i["domain"] == "distress"}
    with Session(engine) as db:
        first = db.exec(
            select(CheckIn)
            .where(CheckIn.user_id == user_id)
            .order_by(col(CheckIn.taken_at))
            .limit(3)
        ).all()
        for row in first:
            row.answers = {k: v for k, v in row.answers.items() if k not in distress}
            assert row.scores is not None
            row.scores = {k: v for k, v in row.scores.items() if k != "distress"}
            db.add(row)
        db.commit()
    whole_reads.clear()
    made = post_checkin(client, _kinds(q)[1]).json()
    assert len(whole_reads) == 1
    assert _as_stored(made) == _rescored(engine, app.state.catalog, user_id)[made["id"]]
