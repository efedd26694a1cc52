"""Operator commands.

python -m app.cli send-reminders   # from cron every few minutes
python -m app.cli backup PATH      # online backup while the app keeps serving
python -m app.cli rotate-notes-key # re-encrypt every note under NOTES_KEY_ID
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import URL, Engine, make_url

from app import crypto
from app.database import make_engine, own_transaction
from app.database.backup import sqlite_snapshot
from app.services import checkins, notes_crypto, reminders
from app.services.catalog import load_catalog
from app.settings import Settings, get_settings


class BackupError(Exception):
    """A backup that could not be made; the message says what to do instead."""


def backup(database_url: str, target: Path) -> str:
    """Copy the database to `target` (a new file) and say what was written."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new name (e.g. with the date).")
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _backup_sqlite(url, target)
    if backend == "postgresql":
        return _backup_postgres(url, target)
    raise BackupError(f"no backup route for a {backend} database")


def _backup_sqlite(url: URL, target: Path) -> str:
    if not url.database or url.database == ":memory:" or not Path(url.database).is_file():
        raise BackupError(f"no SQLite database file at {url.database!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    status = sqlite_snapshot(url.database, partial)
    if status != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {status}")
    with partial.open("rb") as f:
        os.fsync(f.fileno())
    partial.replace(target)
    return f"SQLite backup written to {target} ({target.stat().st_size} bytes, integrity ok)"


def _backup_postgres(url: URL, target: Path) -> str:
    pg_dump = shutil.which("pg_dump")
    # libpq's own URL: no SQLAlchemy driver name, and the password in the environment
    # rather than on a command line other users can read.
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    if pg_dump is None:
        raise BackupError(
            "DATABASE_URL is PostgreSQL and pg_dump is not installed here. Run, from any "
            "machine with the PostgreSQL client tools of the server's major version:\n"
            f"  pg_dump --format=custom --file={target} '{plain}'\n"
            "and restore with: pg_restore --clean --if-exists --no-owner --dbname=URL FILE"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(  # noqa: S603  (our own arguments, no shell)
        [pg_dump, "--format=custom", f"--file={partial}", f"--dbname={plain}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    partial.replace(target)
    return f"PostgreSQL dump (pg_dump -Fc) written to {target} ({target.stat().st_size} bytes)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("send-reminders", help="send each weekly reminder that is due, once")
    save = sub.add_parser(
        "backup",
        help="online backup to a new file: SQLite's backup API, or pg_dump -Fc for PostgreSQL",
    )
    save.add_argument("path", type=Path, help="the file to write (must not exist yet)")
    sub.add_parser("rotate-notes-key", help="re-encrypt every note under NOTES_KEY_ID")
    sub.add_parser(
        "rescore",
        help="evaluate every stored check-in again under today's rules; says how many changed",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    settings = get_settings()
    if args.command == "backup":
        try:
            print(backup(settings.DATABASE_URL, args.path))
        except BackupError as exc:
            print(f"backup: {exc}", file=sys.stderr)
            return 2
        return 0
    engine = make_engine(settings.DATABASE_URL, keyring=crypto.keyring_from_settings(settings))
    try:
        return _run(args.command, settings, engine)
    finally:
        engine.dispose()


def _run(command: str, settings: Settings, engine: Engine) -> int:
    """A command that works on the database, on the command line's own engine."""
    if command == "rotate-notes-key":
        keyring = crypto.keyring_of(engine.dialect)
        with own_transaction(engine) as db:
            done = notes_crypto.rotate(db, keyring)
        print(
            f"re-encrypted {done.rewritten} notes under key {keyring.current!r}, "
            f"{done.already_current} already were, {done.unreadable} unreadable (left as they are)"
        )
        return 1 if done.unreadable else 0
    if command == "rescore":
        catalog = load_catalog(settings.QUESTIONNAIRE_DIR)
        with own_transaction(engine) as db:
            rescored = checkins.rescore_all(db, catalog)
        print(
            f"rescored {rescored.checkins} check-ins of {rescored.accounts} accounts under rules "
            f"{catalog.rules.version!r}: {rescored.changed} results changed"
        )
        return 0
    if command == "send-reminders":
        with own_transaction(engine) as db:
            report = reminders.send_due(db, settings)
        print(
            f"sent {report.sent}, skipped (checked in recently) {report.skipped_recent}, "
            f"gone {report.gone}, failed {report.failed}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
