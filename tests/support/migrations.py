"""Bring a database to the migration head, as `alembic upgrade head` does."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.settings import ROOT


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")
