"""A consistent copy of a live SQLite database file (the command line's backup)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def sqlite_snapshot(database: str, target: Path) -> str:
    """Copy `database` into `target` as one self-contained file; its integrity_check result.

    One step (pages=-1): a single read transaction gives a consistent snapshot, and with
    WAL the app keeps writing meanwhile. A stepwise copy would restart on every write and
    might never finish on a busy server.
    """
    source = sqlite3.connect(database, timeout=15)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return str(copy.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        copy.close()
        source.close()
