"""`own_transaction`: work outside a request commits when its block ends and leaves
nothing behind when the block raises."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app import repositories as repo
from app.database import own_transaction


def _set_goals(engine: Engine, username: str, goals: str) -> None:
    with own_transaction(engine) as db:
        row = repo.user_by_username(db, username)
        assert row is not None
        row.goals = goals
        repo.add(db, row)


def _goals(engine: Engine, username: str) -> str | None:
    with own_transaction(engine, write=False) as db:
        row = repo.user_by_username(db, username)
        assert row is not None
        return row.goals


def test_committed_on_success_rolled_back_on_error(user: dict[str, Any], engine: Engine) -> None:
    _set_goals(engine, user["username"], "sleep better")
    assert _goals(engine, user["username"]) == "sleep better"
    with pytest.raises(RuntimeError), own_transaction(engine) as db:
        row = repo.user_by_username(db, user["username"])
        assert row is not None
        row.goals = "never stored"
        repo.add(db, row)  # flushed, then undone
        raise RuntimeError("the work failed")
    assert _goals(engine, user["username"]) == "sleep better"
