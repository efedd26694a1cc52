"""Bodies of adding a passkey and signing in with one (WebAuthn JSON from the browser)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from app.schemas.common import _In


class CredentialJSON(BaseModel):
    """What navigator.credentials.create() or .get() gave, as JSON (binary as base64url)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: StrictStr = Field(min_length=1, max_length=1400)
    raw_id: StrictStr = Field(alias="rawId", min_length=1, max_length=1400)
    type: Literal["public-key"]
    response: dict[str, Any] = Field(
        description="clientDataJSON and attestationObject (adding) or authenticatorData, "
        "signature and userHandle (signing in)"
    )


class RegistrationIn(_In):
    credential: CredentialJSON
    name: StrictStr | None = Field(
        default=None, max_length=60, description="Defaults to the browser and device"
    )


class SignInIn(_In):
    credential: CredentialJSON


class PasskeyOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
