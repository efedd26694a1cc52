"""Bodies of sign-up, sign-in, sessions, passphrase change and recovery."""

from __future__ import annotations

from datetime import datetime

from pydantic import (
    BaseModel,
    Field,
    StrictStr,
)

from app.schemas.common import _In


class Credentials(_In):
    username: StrictStr = Field(max_length=100)
    password: StrictStr = Field(max_length=1024)


class NewAccount(_In):
    """Sign-up: the limits are in the schema too, so clients can check before sending."""

    username: StrictStr = Field(
        min_length=3, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]+$"
    )
    password: StrictStr = Field(min_length=12, max_length=256)


class SignupOut(BaseModel):
    username: str
    recovery_codes: list[str]


class PassphraseIn(_In):
    password: StrictStr = Field(min_length=1, max_length=1024)


class ChangePassphraseIn(_In):
    current_password: StrictStr = Field(max_length=1024)
    new_password: StrictStr = Field(min_length=12, max_length=256)


class RecoverIn(_In):
    username: StrictStr = Field(max_length=100)
    recovery_code: StrictStr = Field(max_length=100)
    new_password: StrictStr = Field(min_length=12, max_length=256)


class SessionOut(BaseModel):
    id: int
    device: str
    signed_in_at: datetime
    last_seen_at: datetime
    current: bool
