"""Domain errors that carry their HTTP status; pages and API render them their own way."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: Any, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail if isinstance(detail, str) else repr(detail))
        self.detail = detail
        self.headers = headers


class Invalid(DomainError):
    """Input that reads fine but makes no sense (a future date, an unknown item)."""

    status_code = 422

    def __init__(self, detail: Any, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.fields = fields or {}


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


class ServiceUnavailable(DomainError):
    """The database stayed busy past its limit: nothing was stored, try again shortly."""

    status_code = 503

    def __init__(self, detail: str, retry_after: str = "5") -> None:
        super().__init__(detail, headers={"Retry-After": retry_after})
