"""Bodies of adding a passkey and signing in with one (WebAuthn JSON from the browser)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator, model_validator

from app.schemas.common import _In

CREDENTIAL_MAX_CHARS = 64 * 1024


class CredentialJSON(BaseModel):
    """What navigator.credentials.create() or .get() gave, as JSON (binary as base64url)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: StrictStr = Field(min_length=1, max_length=1400)
    raw_id: StrictStr = Field(alias="rawId", min_length=1, max_length=1400)
    type: Literal["public-key"]
    response: dict[Annotated[StrictStr, Field(max_length=40)], Any] = Field(
        max_length=10,
        description="clientDataJSON and attestationObject (adding) or authenticatorData, "
        "signature and userHandle (signing in); up to 64 KiB as JSON",
    )

    @field_validator("response", mode="after")
    @classmethod
    def _small_response(cls, value: dict[str, Any]) -> dict[str, Any]:
        # An attestation with its certificates is a few kilobytes; this is room to spare.
        if len(json.dumps(value)) > CREDENTIAL_MAX_CHARS:
            raise ValueError("the credential's response is too large")
        return value

    @model_validator(mode="after")
    def _few_extras(self) -> CredentialJSON:
        # Browsers add a few fields (authenticatorAttachment, clientExtensionResults).
        extra = self.model_extra or {}
        if len(extra) > 10 or len(json.dumps(extra)) > CREDENTIAL_MAX_CHARS:
            raise ValueError("the credential carries too many or too large extra fields")
        return self


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
