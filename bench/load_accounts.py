"""bench/load.py's accounts and their histories.

Fifty accounts a server are signed up through the API; the other groups are clones of
one of them (its account row and its session, under a new name and token), since a
sign-up is an argon2 hash and hundreds of them would take minutes on a busy machine.
Histories are made once through the API (check-ins, export, import) and copied row for
row into other accounts.
"""

from __future__ import annotations

import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from typing import Any

import httpx2
from sqlalchemy import bindparam, create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from tests.support.accounts import middling_answers, questionnaire_items, signup

THERAPY_WEEKS = 522  # every account started therapy before the oldest seeded check-in


def _columns(engine: Engine, table: str, *leave: str) -> str:
    """The table's columns less `leave`, from the schema itself (never from input)."""
    return ", ".join(
        c["name"] for c in inspect(engine).get_columns(table) if c["name"] not in leave
    )


@dataclass
class Account:
    username: str
    cookie: str
    user_id: int = 0


def accounts(base: str, n: int) -> list[Account]:
    """`n` new accounts, each with a therapy start before any seeded check-in."""
    started = (date.today() - timedelta(weeks=THERAPY_WEEKS)).isoformat()
    profile = {"therapy_started_on": started, "on_medication": False, "country": "GB"}

    def one(_: int) -> Account:
        name = f"b{uuid.uuid4().hex[:12]}"
        with httpx2.Client(timeout=60) as c:
            headers = signup(c, base, name)
            r = c.put(f"{base}/api/profile", json=profile, headers=headers)
            assert r.status_code == 200, r.text
        return Account(name, headers["Cookie"])

    # argon2 frees the GIL: a few sign-ups side by side.
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(n)))


def clones(url: str, source: Account, n: int) -> list[Account]:
    """`n` accounts like `source` (profile, password), each with a session like its first."""
    engine = create_engine(url)
    account = _columns(engine, "account", "id", "username")
    session = _columns(engine, "auth_session", "id", "user_id", "token_hash")
    cookie = source.cookie.split("=", 1)[0]
    made = []
    with engine.begin() as conn:
        for _ in range(n):
            name, token = f"c{uuid.uuid4().hex[:12]}", secrets.token_urlsafe(32)
            conn.execute(
                text(
                    f"INSERT INTO account (username, {account}) SELECT :name, {account} "  # noqa: S608
                    "FROM account WHERE id = :src"
                ),
                {"name": name, "src": source.user_id},
            )
            uid = conn.execute(
                text("SELECT id FROM account WHERE username = :name"), {"name": name}
            ).scalar_one()
            conn.execute(
                text(
                    f"INSERT INTO auth_session (user_id, token_hash, {session}) "  # noqa: S608
                    f"SELECT :uid, :hash, {session} FROM auth_session WHERE user_id = :src "
                    "ORDER BY id LIMIT 1"
                ),
                {"uid": uid, "hash": sha256(token.encode()).hexdigest(), "src": source.user_id},
            )
            made.append(Account(name, f"{cookie}={token}", uid))
    engine.dispose()
    return made


def user_ids(url: str, group: list[Account]) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, username FROM account WHERE username IN :names").bindparams(
                bindparam("names", [a.username for a in group], expanding=True)
            )
        )
        ids = {name: uid for uid, name in rows}
    engine.dispose()
    for a in group:
        a.user_id = ids[a.username]


def answers_for(base: str) -> dict[str, int]:
    with httpx2.Client(timeout=30) as c:
        return middling_answers(questionnaire_items(c, base))


def build_history(base: str, answers: dict[str, int], size: int) -> dict[str, Any]:
    """An account with `size` weekly check-ins entered through the API, as its export."""
    (account,) = accounts(base, 1)
    headers = {"Cookie": account.cookie}
    now = datetime.now(UTC)
    with httpx2.Client(timeout=60) as c:
        for week in range(size, 0, -1):  # oldest first, as years of use would
            body = {
                "client_id": str(uuid.uuid4()),
                "answers": answers,
                "taken_at": (now - timedelta(weeks=week)).isoformat(),
            }
            r = c.post(f"{base}/api/checkins", json=body, headers=headers)
            assert r.status_code == 201, r.text
        r = c.get(f"{base}/api/export", headers=headers)
        assert r.status_code == 200, r.text
        doc: dict[str, Any] = r.json()
    return doc


def template(base: str, url: str, source: Account, export: dict[str, Any]) -> Account:
    """A clone of `source` holding `export`'s check-ins, imported through the API."""
    (account,) = clones(url, source, 1)
    with httpx2.Client(timeout=120) as c:
        r = c.post(f"{base}/api/import", json=export, headers={"Cookie": account.cookie})
        assert r.status_code == 200 and r.json()["imported"] == len(export["checkins"]), r.text
    return account


def copy_history(url: str, source: Account, group: list[Account], latest: int) -> None:
    """The `latest` check-ins of `source`, copied row for row into each account of `group`.

    The rows were made by the app (import); only their owner and id change. A copy is
    milliseconds where an import of 520 check-ins takes seconds an account.
    """
    engine = create_engine(url)
    kept = _columns(engine, "checkin", "id", "user_id")
    new_id = (
        "lower(hex(randomblob(16)))"
        if make_url(url).get_backend_name() == "sqlite"
        else "md5(random()::text || clock_timestamp()::text)"
    )
    sql = text(
        f"INSERT INTO checkin (id, user_id, {kept}) SELECT {new_id}, :uid, {kept} "  # noqa: S608
        "FROM checkin WHERE user_id = :src ORDER BY taken_at DESC LIMIT :n"
    )
    with engine.begin() as conn:
        for a in group:
            conn.execute(sql, {"uid": a.user_id, "src": source.user_id, "n": latest})
    engine.dispose()


def history_depth(base: str, account: Account) -> int:
    with httpx2.Client(timeout=60) as c:
        r = c.get(f"{base}/api/summary", headers={"Cookie": account.cookie})
        assert r.status_code == 200, r.text
        return int(r.json()["checkin_count"])


def refreshed_sessions(url: str, group: list[Account], since: datetime) -> int:
    """How many of `group`'s sessions were last seen at or after `since`."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT last_seen_at FROM auth_session WHERE user_id IN :ids").bindparams(
                bindparam("ids", [a.user_id for a in group], expanding=True)
            )
        ).all()
    engine.dispose()

    def at(value: Any) -> datetime:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    return sum(at(v) >= since for (v,) in rows)
