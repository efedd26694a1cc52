"""The client's written words: check-in notes for the talking-points sheet, and every
encrypted text as stored (for re-encrypting them under a new key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, column, table, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from app.models import CheckIn


def recent_notes(db: Session, user_id: int, upto: datetime, n: int) -> Sequence[CheckIn]:
    """The last `n` check-ins up to `upto` that carry a note, newest first."""
    return db.exec(
        select(CheckIn)
        .where(
            CheckIn.user_id == user_id,
            col(CheckIn.taken_at) <= upto,
            col(CheckIn.note).is_not(None),
            col(CheckIn.note) != "",
        )
        .order_by(col(CheckIn.taken_at).desc(), col(CheckIn.id).desc())
        .limit(n)
    ).all()


# The raw columns: no type decorator between the query and the stored text. Every
# encrypted text of the app: the check-in notes and the safety plans.
_ENCRYPTED = {
    "checkin": table("checkin", column("id", String), column("note", String)),
    "safety_plan": table("safety_plan", column("id", Integer), column("plan", String)),
}
ENCRYPTED_TABLES = tuple(_ENCRYPTED)


def stored_texts(db: Session, table_name: str, after: Any, limit: int) -> list[tuple[Any, str]]:
    """Up to `limit` (row id, stored text) of one table, in id order after `after` (None:
    from the start); empty texts left out."""
    key, text = list(_ENCRYPTED[table_name].c)
    query = select_columns(key, text).where(text.is_not(None), text != "")
    if after is not None:
        query = query.where(key > after)
    return [(row_id, stored) for row_id, stored in db.execute(query.order_by(key).limit(limit))]


def replace_stored_text(db: Session, table_name: str, row_id: Any, stored: str, new: str) -> None:
    """Compare-and-set: a text changed since it was read is left as it is."""
    encrypted = _ENCRYPTED[table_name]
    key, text = list(encrypted.c)
    db.execute(update(encrypted).where(key == row_id, text == stored).values({text.name: new}))
