"""Security headers, cross-site refusal, JSON-only API bodies, the CSRF cookie."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from app.security import CSRF_COOKIE, new_token
from app.settings import Settings

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def _cross_site(request: Request) -> bool:
    # Browsers that send Sec-Fetch-Site are trusted on it alone: with no-referrer they
    # send `Origin: null` even for the app's own forms.
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False
    host = request.headers.get("host", "")
    return origin == "null" or urlsplit(origin).netloc.lower() != host.lower()


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return bool(request.headers.get("transfer-encoding")) or (
        length is not None and length.strip() not in ("", "0")
    )


def _is_json(content_type: str) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime == "application/json"


def build(settings: Settings) -> Callable[..., Awaitable[Response]]:
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        is_api = request.url.path.startswith("/api/")
        response: Response
        # The export is a GET that hands over everything: no other site may trigger it.
        sensitive = request.method in UNSAFE or request.url.path == "/api/export"
        if sensitive and _cross_site(request):
            response = JSONResponse({"detail": "Cross-site requests are refused."}, 403)
        elif (
            is_api
            and request.method in UNSAFE
            and _has_body(request)
            and not _is_json(request.headers.get("content-type", ""))
        ):
            response = JSONResponse(
                {"detail": "Send the body as JSON with Content-Type: application/json."}, 415
            )
        else:
            cookie = request.cookies.get(CSRF_COOKIE)
            request.state.csrf_cookie = cookie or new_token()
            response = await call_next(request)
            if cookie is None and not is_api:
                response.set_cookie(
                    CSRF_COOKIE,
                    request.state.csrf_cookie,
                    path="/",
                    secure=True,
                    httponly=True,
                    samesite="lax",
                )
        _headers(response, request, settings)
        return response

    return guard


def _headers(response: Response, request: Request, settings: Settings) -> None:
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "no-referrer"
    h["Permissions-Policy"] = PERMISSIONS
    h["X-Frame-Options"] = "DENY"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    if settings.ENVIRONMENT == "production":
        h["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    tag = getattr(request.state, "account_tag", None)
    if tag and response.headers.get("content-type", "").startswith("text/html"):
        h["X-Account"] = tag
    if not request.url.path.startswith("/static/"):
        # Health data: no shared or browser cache keeps a copy.
        h.setdefault("Cache-Control", "no-store")
