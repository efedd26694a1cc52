"""Encryption at rest for free text (check-in notes): AES-256-GCM under rotatable keys.

A stored value reads `enc1:<key id>:<base64url(nonce | ciphertext | tag)>`, with a fresh
96-bit random nonce per value. The key id travels with each value, so notes written
under an older key stay readable once a new key takes over new writes (NOTES_KEY_ID),
and `python -m app.cli rotate-notes-key` re-encrypts them under the new one. The prefix
and key id are bound in as associated data, so a value can't be relabelled.

Values without the `enc1:` prefix are plaintext written before encryption existed; they read
as they are until the rotation command encrypts them.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel.sql.sqltypes import AutoString

from app.settings import Settings

log = logging.getLogger(__name__)

VERSION = "enc1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_STORED = re.compile(r"enc1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{38,})")
# The key derived from SECRET_KEY when NOTES_KEYS is empty (development only).
DEV_KEY_ID = "dev"
_DEV_INFO = b"therapy-checkin notes key v1"
# What a note that fails to decrypt reads as: the page still works, and says why.
UNREADABLE = (
    "[This note can't be read: it was changed outside the app, "
    "or the key it was locked with is no longer configured.]"
)


class NoteUnreadable(Exception):
    """A stored value that does not decrypt: tampered, truncated, or its key is gone."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_key() -> str:
    """A fresh key, as NOTES_KEYS expects it (base64url, 32 random bytes)."""
    return _b64encode(os.urandom(KEY_BYTES))


@dataclass(frozen=True)
class Keyring:
    keys: Mapping[str, bytes]
    current: str

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError(f"the current key id {self.current!r} is not among the keys")
        for key_id, key in self.keys.items():
            if not KEY_ID.fullmatch(key_id) or len(key) != KEY_BYTES:
                raise ValueError(f"key {key_id!r}: ids are [A-Za-z0-9_-]{{1,32}}, keys 32 bytes")

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        header = f"{VERSION}:{self.current}"
        sealed = AESGCM(self.keys[self.current]).encrypt(
            nonce, plain.encode("utf-8"), header.encode()
        )
        return f"{header}:{_b64encode(nonce + sealed)}"

    def decrypt(self, stored: str) -> str:
        match = _STORED.fullmatch(stored)
        if match is None:
            raise NoteUnreadable("not an encrypted value")
        key_id, payload = match.groups()
        key = self.keys.get(key_id)
        if key is None:
            raise NoteUnreadable(f"no key with id {key_id!r} is configured")
        try:
            raw = _b64decode(payload)
            plain = AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"{VERSION}:{key_id}".encode()
            )
            return plain.decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise NoteUnreadable(f"failed authentication under key {key_id!r}") from exc


def is_encrypted(stored: str) -> bool:
    """True for anything written by `Keyring.encrypt`, intact or not; False for plaintext."""
    return stored.startswith(VERSION + ":")


def key_id_of(stored: str) -> str | None:
    """The key a stored value was encrypted with; None when it isn't a well-formed value."""
    match = _STORED.fullmatch(stored)
    return match.group(1) if match else None


def _derived_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_DEV_INFO)
    return hkdf.derive(secret.encode("utf-8"))


def keyring_from_settings(settings: Settings) -> Keyring:
    """NOTES_KEYS / NOTES_KEY_ID; in development without them, a key derived from SECRET_KEY."""
    if not settings.NOTES_KEYS:
        if settings.ENVIRONMENT != "development":
            raise RuntimeError(
                "NOTES_KEYS must be set outside development (see README, Settings): "
                "the notes' encryption key must not hang on SECRET_KEY."
            )
        return Keyring({DEV_KEY_ID: _derived_key(settings.SECRET_KEY)}, DEV_KEY_ID)
    try:
        keys = {key_id: _b64decode(value) for key_id, value in settings.NOTES_KEYS.items()}
    except (binascii.Error, ValueError) as exc:
        raise RuntimeError("NOTES_KEYS: every key must be base64url text") from exc
    current = settings.NOTES_KEY_ID or (next(iter(keys)) if len(keys) == 1 else "")
    if not current:
        raise RuntimeError(
            "NOTES_KEY_ID must name the key for new notes when NOTES_KEYS has several"
        )
    try:
        return Keyring(keys, current)
    except ValueError as exc:
        raise RuntimeError(f"NOTES_KEYS / NOTES_KEY_ID: {exc}") from exc


# Each engine's keyring, by its dialect (what a column type is handed): an app, the CLI and a
# test can each hold their own keys in one process.
_by_dialect: WeakKeyDictionary[Dialect, Keyring] = WeakKeyDictionary()


def bind(engine: Engine, keyring: Keyring) -> None:
    """Notes read and written through `engine` use `keyring` (make_engine calls this)."""
    _by_dialect[engine.dialect] = keyring


def keyring_of(dialect: Dialect) -> Keyring:
    keyring = _by_dialect.get(dialect)
    if keyring is None:
        raise RuntimeError("this engine has no notes keyring: make it with make_engine(keyring=)")
    return keyring


class EncryptedText(TypeDecorator[str]):
    """Text encrypted on the way into the database and decrypted on the way out.

    The column stays plain text (no migration). An empty string stays empty, so
    `note != ""` filters keep working. A value that fails to decrypt reads as UNREADABLE
    (and is logged, without its content) rather than failing every page that lists it.
    """

    impl = AutoString
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if not value:
            return value
        return keyring_of(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if not value or not is_encrypted(value):
            return value  # empty, or plaintext from before encryption
        try:
            return keyring_of(dialect).decrypt(value)
        except NoteUnreadable as exc:
            log.warning("encrypted text could not be read", extra={"reason": str(exc)})
            return UNREADABLE
