"""The edge: the first code every HTTP request meets and the last every response passes.

Pure ASGI (a BaseHTTPMiddleware would wrap every request in a task and a stream): it
refuses cross-site requests (403) and non-JSON API bodies (415); limits bodies (413), by
Content-Length before reading anything and by counting while they stream, never holding
more than the limit; parses JSON bodies strictly (422) and hands the same bytes on (both
in app/bodies.py); sets the CSRF cookie; puts the security headers on every response, its
own refusals and 500s included. An exception nothing else handled becomes a 500 here,
logged once (app/logging_setup.py keeps input values out of the log).
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect, Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.bodies import (
    KB,
    BodyTooLarge,
    body_kind,
    body_limit,
    counted,
    json_problem,
    read_body,
    replay,
)
from app.logging_setup import route_template
from app.security import CSRF_COOKIE, new_token
from app.settings import Settings
from app.templating import templates

log = logging.getLogger("app.error")

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

SERVER_ERROR = "Something went wrong on our side. Please try again in a moment."


_WANTED = {
    b"content-type",
    b"content-length",
    b"transfer-encoding",
    b"cookie",
    b"sec-fetch-site",
    b"origin",
    b"host",
}


def _headers_of(scope: Scope) -> dict[str, str]:
    """The request headers the edge reads (the first of each; servers lower-case names)."""
    found: dict[str, str] = {}
    for key, value in scope["headers"]:
        if key in _WANTED:
            name = key.decode("latin-1")
            if name not in found:
                found[name] = value.decode("latin-1")
    return found


def _cross_site(headers: dict[str, str]) -> bool:
    # Browsers that send Sec-Fetch-Site are trusted on it alone: with no-referrer they
    # send `Origin: null` even for the app's own forms.
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return False
    host = headers.get("host", "")
    return origin == "null" or urlsplit(origin).netloc.lower() != host.lower()


def _has_body(headers: dict[str, str]) -> bool:
    length = headers.get("content-length")
    return bool(headers.get("transfer-encoding")) or (
        length is not None and length.strip() not in ("", "0")
    )


def _csrf_cookie(value: str) -> bytes:
    """The Set-Cookie value Starlette's `set_cookie` would make (the token is URL-safe
    base64: nothing in it needs quoting)."""
    return f"{CSRF_COOKIE}={value}; HttpOnly; Path=/; SameSite=lax; Secure".encode("latin-1")


def json_body(content: Any) -> bytes:
    """JSON that always encodes: ASCII-only, so even a lone surrogate in a message can't
    turn an answer into a 500."""
    return json.dumps(content, ensure_ascii=True, allow_nan=False).encode("ascii")


def secure_headers(
    headers: MutableHeaders, path: str, state: dict[str, Any], production: bool
) -> None:
    headers.setdefault("content-security-policy", CSP)
    headers["x-content-type-options"] = "nosniff"
    headers["referrer-policy"] = "no-referrer"
    headers["permissions-policy"] = PERMISSIONS
    headers["x-frame-options"] = "DENY"
    headers["cross-origin-opener-policy"] = "same-origin"
    headers["cross-origin-resource-policy"] = "same-origin"
    if production:
        headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"
    tag = state.get("account_tag")
    if tag and headers.get("content-type", "").startswith("text/html"):
        headers["x-account"] = tag
    if not path.startswith("/static/"):
        # Health data: no shared or browser cache keeps a copy.
        headers.setdefault("cache-control", "no-store")


class Edge:
    """`app.add_middleware(Edge, settings=settings)`: everything the module docstring says."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.production = settings.ENVIRONMENT == "production"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        state: dict[str, Any] = scope.setdefault("state", {})
        started = False
        set_cookie: bytes | None = None

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                secure_headers(headers, path, state, self.production)
                if set_cookie is not None:
                    headers.raw.append((b"set-cookie", set_cookie))
            await send(message)

        headers = _headers_of(scope)
        api = path.startswith("/api/")
        try:
            admitted = await self._admit(scope, receive, send_secured, headers, api)
            if admitted is None:
                return  # refused, and answered
            cookie = cookie_parser(headers.get("cookie", "")).get(CSRF_COOKIE)
            state["csrf_cookie"] = cookie or new_token()
            if cookie is None and not api:
                set_cookie = _csrf_cookie(state["csrf_cookie"])
            await self.app(scope, admitted, send_secured)
        except BodyTooLarge as exc:
            if not started:
                await too_large(scope, send_secured, api, exc.args[0])
        except ClientDisconnect:
            pass  # gone while sending its body: no one to answer
        except Exception as exc:
            log.error(
                "unhandled %s in %s %s",
                type(exc).__name__,
                scope["method"],
                route_template(scope),
                exc_info=exc,
            )
            if not started:
                await server_error(scope, send_secured, api)

    async def _admit(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], api: bool
    ) -> Receive | None:
        """The `receive` the app gets (limited, or replaying a checked JSON body), or None
        when the request was refused here."""
        method, path = scope["method"], scope["path"]
        # The export is a GET that hands over everything: no other site may trigger it.
        if (method in UNSAFE or path == "/api/export") and _cross_site(headers):
            await answer(send, 403, json_body({"detail": "Cross-site requests are refused."}))
            return None
        kind = body_kind(headers.get("content-type", ""))
        has_body = _has_body(headers)
        if api and method in UNSAFE and has_body and kind != "json":
            detail = "Send the body as JSON with Content-Type: application/json."
            await answer(send, 415, json_body({"detail": detail}))
            return None
        limit = body_limit(kind, path)
        length = headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > limit:
            raise BodyTooLarge(limit)
        if kind == "json" and (has_body or method in UNSAFE):
            body = await read_body(receive, limit)
            if body is None:
                return None  # the client went away
            problem = json_problem(body)
            if problem is not None:
                await answer(send, 422, json_body({"detail": [problem]}))
                return None
            return replay(body, receive)
        return counted(receive, limit)


async def answer(
    send: Send, status: int, body: bytes, content_type: str = "application/json"
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode("latin-1")),
                (b"content-length", str(len(body)).encode("latin-1")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def too_large(scope: Scope, send: Send, api: bool, limit: int) -> None:
    message = f"That was more than the {limit // KB} KB this accepts, so nothing was saved."
    if api:
        await answer(send, 413, json_body({"detail": message}))
    else:
        await error_page(scope, send, 413, message)


async def server_error(scope: Scope, send: Send, api: bool) -> None:
    if api:
        await answer(send, 500, json_body({"detail": SERVER_ERROR}))
    else:
        await error_page(scope, send, 500, None)


async def error_page(scope: Scope, send: Send, status: int, message: str | None) -> None:
    """The app's error page; a line of plain text if even that can't be made."""
    try:
        page = templates.TemplateResponse(
            Request(scope), "error.html", {"status": status, "message": message}, status
        )
    except Exception:
        log.exception("the error page could not be made")
        text = (message or SERVER_ERROR).encode("utf-8")
        await answer(send, status, text, "text/plain; charset=utf-8")
        return
    await answer(send, status, bytes(page.body), "text/html; charset=utf-8")
