"""WebAuthn plumbing for passkeys: the relying party, one-time challenges, reading answers.

Challenges are kept in the database, so any app instance can check them; each is spent
on first use and lives five minutes.

The user handle the authenticator stores is an HMAC of the account id under SECRET_KEY:
stable, needs no column, and unlike the raw id it says nothing about how many accounts
exist or in which order they were made. Changing SECRET_KEY means adding passkeys again.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session
from webauthn import base64url_to_bytes, verify_authentication_response
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

from app import repositories as repo
from app.database import keep
from app.models import Passkey, User, WebAuthnChallenge, utcnow
from app.security import keyed_hash
from app.settings import Settings

CHALLENGE_TTL = timedelta(minutes=5)
TIMEOUT_MS = int(CHALLENGE_TTL.total_seconds() * 1000)
CREDENTIAL_ID_MAX = 400  # the column's size; real authenticators use 16 to 64 bytes
TRANSPORTS = {t.value for t in AuthenticatorTransport}


@dataclass(frozen=True)
class RelyingParty:
    """Who the passkeys belong to: the site's host name, its display name, its origins."""

    id: str
    name: str
    origins: tuple[str, ...]


class Refused(Exception):
    """An answer that doesn't check out; callers turn it into one kind message."""


def user_handle(settings: Settings, user_id: int) -> bytes:
    return bytes.fromhex(keyed_hash(settings.SECRET_KEY, f"passkey-user:{user_id}"))


def descriptor(row: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in row.transports.split(",") if t in TRANSPORTS]
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(row.credential_id), transports=transports or None
    )


def store_challenge(db: Session, challenge: bytes, purpose: str, user_id: int | None) -> None:
    now = utcnow()
    repo.prune_challenges(db, now - CHALLENGE_TTL)
    repo.add(
        db,
        WebAuthnChallenge(
            challenge=bytes_to_base64url(challenge),
            purpose=purpose,
            user_id=user_id,
            created_at=now,
        ),
    )


def take_challenge(db: Session, challenge: str, purpose: str, user_id: int | None) -> bool:
    return repo.take_challenge(db, challenge, purpose, user_id, utcnow() - CHALLENGE_TTL)


def take_challenge_kept(db: Session, challenge: str, purpose: str) -> bool:
    """Spend a challenge so that it stays spent even if the request then fails."""
    taken: list[bool] = []
    keep(db, lambda s: taken.append(take_challenge(s, challenge, purpose, None)))
    return taken[0]


def challenge_of(credential: dict[str, Any]) -> str:
    """The challenge the browser answered, read from clientDataJSON, to find its row."""
    response = credential.get("response")
    raw = response.get("clientDataJSON") if isinstance(response, dict) else None
    if not isinstance(raw, str):
        raise Refused("no clientDataJSON")
    try:
        data = json.loads(base64url_to_bytes(raw))
    except ValueError as exc:
        raise Refused("clientDataJSON unreadable") from exc
    challenge = data.get("challenge") if isinstance(data, dict) else None
    if not isinstance(challenge, str) or not 0 < len(challenge) <= 200:
        raise Refused("no challenge")
    return challenge


def credential_id_of(credential: dict[str, Any]) -> str | None:
    """The credential id in the one spelling we store (base64url, no padding)."""
    raw = credential.get("id")
    if not isinstance(raw, str) or not 0 < len(raw) <= CREDENTIAL_ID_MAX:
        return None
    try:
        return bytes_to_base64url(base64url_to_bytes(raw))
    except ValueError:
        return None


def transports_of(credential: dict[str, Any]) -> str:
    response = credential.get("response")
    sent = response.get("transports") if isinstance(response, dict) else None
    known = [t for t in sent if t in TRANSPORTS] if isinstance(sent, list) else []
    return ",".join(known)[:200]


def verify_assertion(
    db: Session,
    rp: RelyingParty,
    settings: Settings,
    credential: dict[str, Any],
    row: Passkey | None,
    owner: User | None,
) -> int:
    """Check a sign-in answer against its stored passkey: its new signature count, or Refused."""
    challenge = challenge_of(credential)
    if not take_challenge_kept(db, challenge, "sign_in"):
        raise Refused("unknown, used or expired challenge")
    if row is None or owner is None or owner.id is None:
        raise Refused("unknown passkey")
    response = credential.get("response")
    handle = response.get("userHandle") if isinstance(response, dict) else None
    if handle is not None:
        try:
            sent = base64url_to_bytes(handle) if isinstance(handle, str) else b""
        except ValueError as exc:
            raise Refused("unreadable user handle") from exc
        if not hmac.compare_digest(sent, user_handle(settings, owner.id)):
            raise Refused("the user handle of another account")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=row.public_key,
            credential_current_sign_count=row.sign_count,
        )
    except Exception as exc:  # hostile input: any failure to verify is a refusal
        raise Refused("assertion not verified") from exc
    return int(verified.new_sign_count)
