"""Re-encrypting every note under the current key (after adding a key, or to retire one).

Works on the stored text directly, not through EncryptedText, so a note that fails to
decrypt is counted and left as it is, never overwritten with the placeholder. Legacy
plaintext notes get encrypted on the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, column, select, table, update
from sqlmodel import Session

from app.crypto import Keyring, NoteUnreadable, is_encrypted, key_id_of

# The raw column: no type decorator between the query and the stored text.
_checkin = table("checkin", column("id", String), column("note", String))
BATCH = 500


@dataclass
class Rotation:
    rewritten: int = 0
    already_current: int = 0
    unreadable: int = 0


def rotate(db: Session, keyring: Keyring) -> Rotation:
    """Every note not under `keyring.current` is re-encrypted under it, in one transaction."""
    report = Rotation()
    after = ""
    while True:
        rows = db.execute(
            select(_checkin.c.id, _checkin.c.note)
            .where(_checkin.c.id > after, _checkin.c.note.is_not(None), _checkin.c.note != "")
            .order_by(_checkin.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return report
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
                update(_checkin)
                .where(_checkin.c.id == row_id, _checkin.c.note == stored)
                .values(note=keyring.encrypt(plain))
            )
            report.rewritten += 1
        after = rows[-1][0]
