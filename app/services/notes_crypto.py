"""Re-encrypting every note and safety plan under the current key (a new key, or to retire one).

Works on the stored text directly, not through EncryptedText, so a note that fails to
decrypt is counted and left as it is, never overwritten with the placeholder. Legacy
plaintext notes get encrypted on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app import repositories as repo
from app.crypto import Keyring, NoteUnreadable, is_encrypted, key_id_of

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
    for table_name in repo.ENCRYPTED_TABLES:
        _rotate(db, keyring, table_name, report)
    return report


def _rotate(db: Session, keyring: Keyring, table_name: str, report: Rotation) -> None:
    after: Any = None
    while True:
        rows = repo.stored_texts(db, table_name, after, BATCH)
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
            repo.replace_stored_text(db, table_name, row_id, stored, keyring.encrypt(plain))
            report.rewritten += 1
        after = rows[-1][0]
