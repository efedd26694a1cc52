"""Passkeys: add and remove them in settings, then sign in with one instead of the passphrase.

Passkeys are discoverable (kept on the phone or key together with the account), so
signing in needs no username. The WebAuthn details live in passkey_ceremony.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app import repositories as repo
from app.errors import Conflict, Invalid, NotAuthenticated, NotFound
from app.models import Passkey, User, utcnow
from app.services import accounts, activity, ratelimit
from app.services import passkey_ceremony as ceremony
from app.services.passkey_ceremony import RelyingParty
from app.settings import Settings

MAX_PASSKEYS = 20
NAME_MAX = 60
REFUSED = "That passkey wasn't accepted. Please try again, or sign in with your passphrase."
NOT_ADDED = "The passkey wasn't added. Please press “Add a passkey” and try again."
TOO_MANY = f"You have {MAX_PASSKEYS} passkeys, the most we keep. Please remove one first."


def _clean_name(name: str | None, user_agent: str) -> str:
    cleaned = " ".join((name or "").split())[:NAME_MAX].strip()
    return cleaned or activity.device_of(user_agent)[:NAME_MAX]


# --- adding one, in settings -------------------------------------------------


def registration_options(
    db: Session, rp: RelyingParty, settings: Settings, user: User
) -> dict[str, Any]:
    assert user.id is not None
    existing = repo.passkeys_of(db, user.id)
    if len(existing) >= MAX_PASSKEYS:
        raise Conflict(TOO_MANY)
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.username,
        user_id=ceremony.user_handle(settings, user.id),
        timeout=ceremony.TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        # The browser won't make a second passkey on an authenticator that has one already.
        exclude_credentials=[ceremony.descriptor(row) for row in existing],
    )
    ceremony.store_challenge(db, options.challenge, "register", user.id)
    return dict(json.loads(options_to_json(options)))


def register(
    db: Session,
    rp: RelyingParty,
    user: User,
    credential: dict[str, Any],
    name: str | None = None,
    user_agent: str = "",
) -> Passkey:
    assert user.id is not None
    try:
        challenge = ceremony.challenge_of(credential)
    except ceremony.Refused as exc:
        raise Invalid(NOT_ADDED) from exc
    # In the request's transaction: a refused answer leaves the challenge for a retry
    # within its five minutes; a stored passkey spends it.
    if not ceremony.take_challenge(db, challenge, "register", user.id):
        raise Invalid("That took too long, or was sent twice. Please press “Add a passkey” again.")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
        )
    except Exception as exc:  # hostile input: any failure to verify is a refusal
        raise Invalid(NOT_ADDED) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if len(credential_id) > ceremony.CREDENTIAL_ID_MAX:
        raise Invalid("This passkey's id is longer than we can store. Please try another.")
    if repo.passkey_by_credential_id(db, credential_id) is not None:
        raise Conflict("This passkey is added already.")
    if repo.count_passkeys(db, user.id) >= MAX_PASSKEYS:
        raise Conflict(TOO_MANY)
    row = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=ceremony.transports_of(credential),
        name=_clean_name(name, user_agent),
    )
    repo.add(db, row)
    activity.record(db, user.id, "passkey_added", row.name)
    return row


@dataclass(frozen=True)
class PasskeyEntry:
    """A passkey as settings and the API show it (never the key or its credential id)."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None  # None: not used to sign in yet

    @classmethod
    def of(cls, row: Passkey) -> PasskeyEntry:
        assert row.id is not None
        return cls(
            id=row.id, name=row.name, created_at=row.created_at, last_used_at=row.last_used_at
        )


def listing(db: Session, user: User) -> list[PasskeyEntry]:
    assert user.id is not None
    return [PasskeyEntry.of(row) for row in repo.passkeys_of(db, user.id)]


def remove(db: Session, user: User, passkey_id: int) -> None:
    assert user.id is not None
    row = repo.passkey_of(db, user.id, passkey_id)
    if row is None:
        raise NotFound("No such passkey.")
    repo.delete_passkey(db, row)
    activity.record(db, user.id, "passkey_removed", row.name)


# --- signing in with one ------------------------------------------------------


def authentication_options(db: Session, rp: RelyingParty) -> dict[str, Any]:
    # No allowCredentials: the browser offers whichever passkeys it holds for this site.
    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=ceremony.TIMEOUT_MS,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    ceremony.store_challenge(db, options.challenge, "sign_in", None)
    return dict(json.loads(options_to_json(options)))


def sign_in(
    db: Session,
    rp: RelyingParty,
    settings: Settings,
    credential: dict[str, Any],
    *,
    old_token: str | None = None,
    user_agent: str = "",
    address: str = "",
) -> accounts.NewSession:
    """Check an assertion and start a session; refusals count like wrong passphrases."""
    credential_id = ceremony.credential_id_of(credential)
    row = repo.passkey_by_credential_id(db, credential_id) if credential_id else None
    owner = repo.user_by_id(db, row.user_id) if row else None
    account = owner.username if owner is not None else None
    ratelimit.check_sign_in(db, settings, address=address, account=account)
    # The counts below and the spent challenge are kept even though the request then fails.
    try:
        sign_count = ceremony.verify_assertion(db, rp, settings, credential, row, owner)
    except ceremony.Refused as exc:
        ratelimit.count_failed_sign_in(db, settings, address=address, account=account)
        if owner is not None:
            device = activity.device_of(user_agent)
            activity.record_kept(db, owner.id, "sign_in_failed", f"With a passkey, {device}")
        raise NotAuthenticated(REFUSED) from exc
    assert row is not None and owner is not None and owner.id is not None
    row.sign_count = sign_count
    row.last_used_at = utcnow()
    repo.add(db, row, flush=False)
    return accounts.complete_sign_in(
        db, settings, owner, old_token=old_token, user_agent=user_agent, kind="sign_in_passkey"
    )
