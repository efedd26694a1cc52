"""Bodies of the weekly reminder and Web Push subscriptions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr


class PushKeys(BaseModel):
    p256dh: StrictStr = Field(max_length=200)
    auth: StrictStr = Field(max_length=100)


class PushSubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # browsers add expirationTime and more
    endpoint: StrictStr = Field(min_length=10, max_length=1000)
    keys: PushKeys


class EndpointIn(BaseModel):
    endpoint: StrictStr = Field(max_length=1000)


# The longest IANA zone name is 32 characters; a longer one is no zone (and a much longer
# one would be a file name too long for the zone database to look up).
TIMEZONE_MAX = 64


class ReminderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekday: StrictInt | None = Field(default=None, ge=1, le=7, description="1 = Monday")
    time: StrictStr | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: StrictStr | None = Field(default=None, max_length=TIMEZONE_MAX)


class ReminderOut(BaseModel):
    weekday: int | None
    time: str | None
    timezone: str
