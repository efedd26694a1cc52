"""gzip for JSON, CSS, JS and, for the app's own requests only, HTML (SECURITY.md, BREACH).

Starlette's GZip responders do the work: bodies under `minimum_size` stay as they are,
images and streams of events are never compressed, a streamed body is compressed as it
streams (Content-Length dropped), Content-Disposition and every other header kept, and
`Vary: Accept-Encoding` added. What is ours is the choice for HTML. A page holds secrets
(the CSRF token, notes, recovery codes) beside text the request can put there (`?next=`),
and BREACH recovers such a secret from the compressed sizes of many requests that another
site makes the browser send. Those requests say `Sec-Fetch-Site: cross-site` (or
`same-site`), and the browser sets that header, not the page: HTML is compressed only when
it says `same-origin` or `none` (typed, bookmarked, the home-screen icon). A browser that
sends no Fetch Metadata gets its pages uncompressed.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import (
    DEFAULT_EXCLUDED_CONTENT_TYPES,
    GZipResponder,
    IdentityResponder,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The browser's own navigations and the app's own fetches; nothing another site can cause.
FIRST_PARTY = {"same-origin", "none"}
NOT_FOR_OTHERS = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "text/html")


def html_may_be_compressed(headers: Headers) -> bool:
    return headers.get("sec-fetch-site") in FIRST_PARTY


def accepts_gzip(headers: Headers) -> bool:
    """gzip named in Accept-Encoding, and not with `q=0`."""
    for part in headers.get("accept-encoding", "").lower().split(","):
        coding, *params = part.split(";")
        if coding.strip() != "gzip":
            continue
        for param in params:
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


class Compress:
    """`app.add_middleware(Compress)`, inside the edge: the edge then sees (and secures)
    the response as it goes out, compressed."""

    def __init__(self, app: ASGIApp, minimum_size: int = 500, compresslevel: int = 6) -> None:
        self.app = app
        self.minimum_size = minimum_size
        # 6 (zlib's default) is nearly as small as 9 for our pages, in less CPU time.
        self.compresslevel = compresslevel

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        excluded = (
            DEFAULT_EXCLUDED_CONTENT_TYPES if html_may_be_compressed(headers) else NOT_FOR_OTHERS
        )
        responder: IdentityResponder
        if accepts_gzip(headers):
            responder = GZipResponder(
                self.app,
                self.minimum_size,
                self.compresslevel,
                exclude_content_types=excluded,
            )
        else:
            responder = IdentityResponder(
                self.app, self.minimum_size, exclude_content_types=excluded
            )
        outgoing = _Outgoing(send)
        await responder(scope, receive, outgoing.send)
        if responder.initial_message and not outgoing.started:
            # The app stopped after its headers and before any body (a file whose client
            # went away): the headers the responder held go out as they would have without
            # it, so the request log records what the app answered, not a 500 nobody sent.
            await outgoing.send(responder.initial_message)


class _Outgoing:
    """Pages say what their encoding depends on (they are never stored, but say it anyway);
    a compressed body's ETag becomes weak: it is no longer the file's bytes."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = MutableHeaders(scope=message)
            if headers.get("content-type", "").startswith("text/html"):
                named = {v.strip().lower() for v in headers.get("vary", "").split(",")}
                for name in ("Accept-Encoding", "Sec-Fetch-Site"):
                    if name.lower() not in named:
                        headers.add_vary_header(name)
            etag = headers.get("etag")
            if etag and "content-encoding" in headers and not etag.startswith("W/"):
                headers["etag"] = "W/" + etag
        await self._send(message)
