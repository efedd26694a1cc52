"""Settings from the environment (see README for every variable)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "development-only-secret-change-me"  # noqa: S105  (refused outside development)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    ENVIRONMENT: Literal["development", "production"] = "development"
    DATABASE_URL: str = f"sqlite:///{ROOT / 'data' / 'checkin.db'}"
    SECRET_KEY: str = DEV_SECRET
    HOST: str = "127.0.0.1"
    PORT: int = 8000
    # Proxies (comma-separated addresses or networks) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; empty: nobody's. Read by uvicorn (`make run` and the
    # image pass it as --forwarded-allow-ips), like HOST and PORT: the per-address limits
    # count the address it gives.
    FORWARDED_ALLOW_IPS: str = ""
    QUESTIONNAIRE_DIR: Path = ROOT / "questionnaires"

    SIGNUPS_PER_HOUR_PER_ADDRESS: int = 20
    LOGIN_FAILURES_PER_ACCOUNT: int = 10
    LOGIN_FAILURE_WINDOW_MINUTES: int = 15
    LOGIN_FAILURES_PER_ADDRESS: int = 50
    REDIS_URL: str | None = None

    VAPID_PRIVATE_KEY_FILE: Path = ROOT / "data" / "vapid_private.pem"
    VAPID_SUBJECT: str = "https://localhost"
    # Hosts (and their subdomains) a push subscription may point at.
    PUSH_SERVICE_HOSTS: list[str] = [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    ]

    # Connections and threads, per worker process (README: "Sizing"). A request holds at
    # most one connection; THREAD_LIMIT (0: the pool's size) may not exceed the pool.
    DB_POOL_SIZE: int = Field(default=10, ge=1)
    DB_MAX_OVERFLOW: int = Field(default=0, ge=0)
    THREAD_LIMIT: int = Field(default=0, ge=0)
    # Longest wait for a turn at the database before a 503 with Retry-After.
    DB_WAIT_SECONDS: float = Field(default=10.0, gt=0)
    # SQLite: how long a writer, and a reader, waits on another process's lock.
    DB_BUSY_SECONDS: float = Field(default=5.0, gt=0)
    DB_READ_BUSY_SECONDS: float = Field(default=1.0, gt=0)

    SESSION_IDLE_DAYS: int = 14
    SESSION_ABSOLUTE_DAYS: int = 30

    # Passkeys. Empty: the host name and origin each request arrives at.
    WEBAUTHN_RP_ID: str = ""
    WEBAUTHN_RP_NAME: str = "Therapy Check-in"
    WEBAUTHN_ORIGINS: list[str] = []

    # Notes encryption: JSON {"key id": "base64url 32-byte key"}; NOTES_KEY_ID encrypts
    # new notes. Empty in development: a key derived from SECRET_KEY (see app/crypto.py).
    NOTES_KEYS: dict[str, str] = {}
    NOTES_KEY_ID: str = ""
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def db_capacity(self) -> int:
        return self.DB_POOL_SIZE + self.DB_MAX_OVERFLOW

    @property
    def threads(self) -> int:
        """Worker threads for sync routes: never more than the connections they could want."""
        return self.THREAD_LIMIT or self.db_capacity

    @model_validator(mode="after")
    def _threads_within_pool(self) -> Settings:
        if self.db_capacity < self.THREAD_LIMIT:
            raise ValueError(
                f"THREAD_LIMIT ({self.THREAD_LIMIT}) may not exceed the database pool "
                f"(DB_POOL_SIZE + DB_MAX_OVERFLOW = {self.db_capacity})"
            )
        return self

    @model_validator(mode="after")
    def _secret_outside_development(self) -> Settings:
        if self.ENVIRONMENT != "development" and (
            self.SECRET_KEY == DEV_SECRET or len(self.SECRET_KEY) < 32
        ):
            raise ValueError("SECRET_KEY must be set (32+ characters) outside development")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
