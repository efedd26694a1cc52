"""Check-ins: by id, pages of history, what an evaluation reads of earlier weeks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Executable,
    Integer,
    Table,
    Text,
    bindparam,
    exists,
    func,
    literal,
    tuple_,
    union_all,
)
from sqlalchemy import cast as cast_as
from sqlalchemy import select as select_columns
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.models import CheckIn, User, UTCDateTime

_checkin = cast(Table, CheckIn.__table__)  # type: ignore[attr-defined]
_c = _checkin.c
# What an evaluation reads of an earlier check-in: (taken_at, answers, stored scores, the
# versions that scored them). Only those columns: not the stored results or the notes.
# The answers and scores come as their JSON text, for the caller to decode (and keep: the
# same rows are read again on the account's next check-in).
Earlier = tuple[datetime, str, str | None, str | None]
_EARLIER = (_c.taken_at, cast_as(_c.answers, Text), cast_as(_c.scores, Text), _c.scored_with)
_BEFORE_ALL = datetime(1, 1, 1, tzinfo=UTC)


def checkin_by_client_id(db: Session, user_id: int, client_id: str) -> CheckIn | None:
    return db.exec(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.client_id == client_id)
    ).first()


def checkin_by_id(db: Session, user_id: int, checkin_id: str) -> CheckIn | None:
    return db.exec(
        select(CheckIn).where(CheckIn.user_id == user_id, CheckIn.id == checkin_id)
    ).first()


# INSERT .. ON CONFLICT (user_id, client_id) DO NOTHING RETURNING id, per dialect.
_INSERTS = {
    dialect: insert(_checkin)
    .on_conflict_do_nothing(index_elements=[_c.user_id, _c.client_id])
    .returning(_c.id)
    for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def insert_checkin(db: Session, row: CheckIn) -> bool:
    """Insert the row unless this account has a check-in with its client_id already (two
    tabs, a retry): True when inserted. One statement, no savepoint; the row object itself
    stays out of the session."""
    values = {column.key: getattr(row, column.key) for column in _checkin.columns}
    statement = _INSERTS[db.get_bind().dialect.name]
    return db.execute(statement, values).first() is not None


@dataclass(frozen=True)
class EarlierWindow:
    """The window of a client's earlier check-ins an evaluation reads (app.engine.history),
    each part oldest first."""

    first: list[Earlier]
    recent: list[Earlier]
    gap: bool  # check-ins between the two parts were left out
    later: bool  # the account has check-ins taken after the moment asked about


def _window_statements() -> tuple[Executable, Executable]:
    """The window query (and the "later" check alone, for an empty history), built once:
    building and keying a statement this size costs more than running it."""
    mine = _c.user_id == bindparam("user_id", type_=Integer)
    moment = bindparam("taken_at", type_=UTCDateTime())
    first_to = (
        select_columns(_c.taken_at)
        .where(mine, _c.taken_at < moment)
        .order_by(_c.taken_at)
        .limit(1)
        .offset(bindparam("first_offset", type_=Integer))
        .scalar_subquery()
    )
    # Before any check-in: all of them are recent when there are too few to leave any out.
    recent_from = func.coalesce(
        select_columns(_c.taken_at)
        .where(mine, _c.taken_at <= bindparam("cut", type_=UTCDateTime()))
        .order_by(_c.taken_at.desc())
        .limit(1)
        .offset(bindparam("recent_offset", type_=Integer))
        .scalar_subquery(),
        literal(_BEFORE_ALL, UTCDateTime()),
    )
    gap = exists().where(mine, _c.taken_at > first_to, _c.taken_at < recent_from)
    later = exists().where(mine, _c.taken_at > moment)
    flags = (gap.label("gap"), later.label("later"))
    # Each part is one range of the index; without a gap they may overlap (a row twice).
    head = select_columns(*_EARLIER, _c.id, literal(False).label("recent"), *flags).where(
        mine, _c.taken_at <= first_to
    )
    tail = select_columns(*_EARLIER, _c.id, literal(True).label("recent"), *flags).where(
        mine, _c.taken_at >= recent_from, _c.taken_at < moment
    )
    both = union_all(head, tail).subquery()
    return (
        select_columns(both).order_by(both.c.taken_at, both.c.id),
        select_columns(later.label("later")),
    )


_WINDOW, _LATER = _window_statements()


def history_window(
    db: Session, user_id: int, taken_at: datetime, *, first: int, recent: int, days: int
) -> EarlierWindow:
    """Of the check-ins before `taken_at`: those at or before the moment of the `first`-th
    one, and those since the moment of the `recent`-th newest taken `days` or more before
    `taken_at` (all of them when there are fewer); whether any were left out between; and
    whether any were taken after `taken_at`.

    One statement of two index ranges; the boundaries are scalar subqueries on the
    (user_id, taken_at, id) index: what it reads doesn't grow with the history.
    """
    params = {
        "user_id": user_id,
        "taken_at": taken_at,
        "cut": taken_at - timedelta(days=days),
        "first_offset": first - 1,
        "recent_offset": recent - 1,
    }
    rows = db.execute(_WINDOW, params).all()
    if not rows:
        found = db.execute(_LATER, params).scalar()
        return EarlierWindow([], [], gap=False, later=bool(found))
    gapped, seen = bool(rows[0].gap), set()
    head_rows: list[Earlier] = []
    tail_rows: list[Earlier] = []
    for row in rows:
        if row.id in seen:
            continue
        seen.add(row.id)
        (tail_rows if gapped and row.recent else head_rows).append(_earlier(row[:4]))
    return EarlierWindow(head_rows, tail_rows, gap=gapped, later=bool(rows[0].later))


_HISTORY = (
    select_columns(*_EARLIER)
    .where(
        _c.user_id == bindparam("user_id", type_=Integer),
        _c.taken_at < bindparam("taken_at", type_=UTCDateTime()),
    )
    .order_by(_c.taken_at, _c.id)
)


def history_before(db: Session, user_id: int, taken_at: datetime) -> list[Earlier]:
    """What an evaluation reads of everything earlier, oldest first."""
    rows = db.execute(_HISTORY, {"user_id": user_id, "taken_at": taken_at}).all()
    return [_earlier(row) for row in rows]


def _earlier(row: Sequence[Any]) -> Earlier:
    moment, answers, scores, version = row
    return moment, answers, scores, version


def checkins_after(db: Session, user_id: int, taken_at: datetime) -> Sequence[CheckIn]:
    """Every check-in taken after `taken_at`, oldest first (to re-evaluate them)."""
    return db.exec(
        select(CheckIn)
        .where(CheckIn.user_id == user_id, col(CheckIn.taken_at) > taken_at)
        .order_by(col(CheckIn.taken_at), col(CheckIn.id))
    ).all()


def users_with_checkins(db: Session) -> Sequence[User]:
    """Every account that has stored a check-in (to rescore them all)."""
    owners = select(CheckIn.user_id).distinct()
    return db.exec(select(User).where(col(User.id).in_(owners)).order_by(col(User.id))).all()


def delete_checkin(db: Session, row: CheckIn) -> None:
    db.delete(row)
    db.flush()


def checkins_page(
    db: Session, user_id: int, limit: int, before: tuple[datetime, str] | None
) -> Sequence[CheckIn]:
    """Newest first, keyset-paginated on (taken_at, id)."""
    query = select(CheckIn).where(CheckIn.user_id == user_id)
    if before is not None:
        query = query.where(tuple_(col(CheckIn.taken_at), col(CheckIn.id)) < tuple_(*before))
    query = query.order_by(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc()).limit(limit)
    return db.exec(query).all()


def checkins_since(db: Session, user_id: int, since: datetime | None) -> Sequence[CheckIn]:
    query = select(CheckIn).where(CheckIn.user_id == user_id)
    if since is not None:
        query = query.where(col(CheckIn.taken_at) >= since)
    return db.exec(query.order_by(col(CheckIn.taken_at), col(CheckIn.id))).all()


def latest_checkins(db: Session, user_id: int, n: int) -> Sequence[CheckIn]:
    return checkins_page(db, user_id, n, None)


def previous_checkin(db: Session, user_id: int, taken_at: datetime) -> CheckIn | None:
    return db.exec(
        select(CheckIn)
        .where(CheckIn.user_id == user_id, col(CheckIn.taken_at) < taken_at)
        .order_by(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc())
        .limit(1)
    ).first()
