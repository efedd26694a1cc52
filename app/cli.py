"""Operator commands: `python -m app.cli send-reminders` (run it from cron every few minutes)."""

from __future__ import annotations

import argparse
import logging
import sys

from sqlmodel import Session

from app.database import get_engine, make_engine, set_engine
from app.services import reminders
from app.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("send-reminders", help="send each weekly reminder that is due, once")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    settings = get_settings()
    set_engine(make_engine(settings.DATABASE_URL))
    if args.command == "send-reminders":
        with Session(get_engine()) as db:
            report = reminders.send_due(db, settings)
            db.commit()
        print(
            f"sent {report.sent}, skipped (checked in recently) {report.skipped_recent}, "
            f"gone {report.gone}, failed {report.failed}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
