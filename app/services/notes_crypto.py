"""Re-encrypting every note and safety plan under the current key (a new key, or to retire one).

Works on the stored text directly, not through EncryptedText, so a note that fails to
decrypt is counted and left as it is, never overwritten with the placeholder. Legacy
plaintext notes get encrypted on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, TableClause, column, select, table, update
from sqlmodel import Session

from app.crypto import Keyring, NoteUnreadable, is_encrypted, key_id_of

# The raw columns: no type decorator between the query and the stored text. Every
# encrypted text of the app: the check-in notes and the safety plans.
_ENCRYPTED = (
    table("checkin", column("id", String), column("note", String)),
    table("safety_plan", column("id", Integer), column("plan", String)),
)
BATCH = 500


@dataclass
class Rotation:
    rewritten: int = 0
    already_current: int = 0
    unreadable: int = 0


def rotate(db: Session, keyring: Keyring) -> Rotation:
    """Every encrypted text not under `keyring.current` is re-encrypted under it, in one
    transaction."""
    report = Rotation()
    for encrypted in _ENCRYPTED:
        _rotate(db, keyring, encrypted, report)
    return report


def _rotate(db: Session, keyring: Keyring, encrypted: TableClause, report: Rotation) -> None:
    key, text = list(encrypted.c)
    after: Any = None
    while True:
        query = select(key, text).where(text.is_not(None), text != "")
        if after is not None:
            query = query.where(key > after)
        rows = db.execute(query.order_by(key).limit(BATCH)).all()
        if not rows:
            return
        for row_id, stored in rows:
            if key_id_of(stored) == keyring.current:
                report.already_current += 1
                continue
            try:
                plain = keyring.decrypt(stored) if is_encrypted(stored) else stored
            except NoteUnreadable:
                report.unreadable += 1
                continue
            # Compare-and-set: a note changed meanwhile is left to the next run.
            db.execute(
                update(encrypted)
                .where(key == row_id, text == stored)
                .values({text.name: keyring.encrypt(plain)})
            )
            report.rewritten += 1
        after = rows[-1][0]
