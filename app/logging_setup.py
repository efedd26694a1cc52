"""Structured logs: one JSON object per line, and one line per request.

What a log line may hold is decided here, not at each call site: a request is logged
with its method, route template ("/shared/{token}", never the path itself), status and
duration. Never usernames, answers, notes, passphrases, tokens, cookies, addresses or
query strings. uvicorn's access log prints raw paths, so it is switched off here (and
by `--no-access-log` where uvicorn is started).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_log = logging.getLogger("app.request")

# The attributes every LogRecord has; anything else came in through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Texts that can quote data: SQLAlchemy's bound parameters; pydantic's input values, in a
# ValidationError's text (input_value=...) and in its errors() as a repr or JSON ('input':
# ..., up to the key after it, or the end of that error).
_REDACT = (
    (re.compile(r"^\[parameters: .*$", re.M), "[parameters: hidden]"),
    (re.compile(r"input_value=.*?, input_type="), "input_value=<hidden>, input_type="),
    (
        re.compile(
            r"""(['"])input\1: ?.*?(?=, ?['"](?:ctx|url)['"]: ?|\}\]|\}, ?\{|\}\)|\}$)""", re.M
        ),
        r"\1input\1: <hidden>",
    ),
)


def redact(text: str) -> str:
    for pattern, replacement in _REDACT:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """Takes input values out of a record before any output sees it: from the message, the
    exception and stack texts, and every string given as `extra`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a call site with the wrong arguments: keep the template only
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key in _STANDARD:
                continue
            if isinstance(value, str):
                setattr(record, key, redact(value))
            elif isinstance(value, dict | list | tuple):
                setattr(record, key, redact(json.dumps(value, default=str, ensure_ascii=False)))
        return True


_formatter = logging.Formatter()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in doc:
                doc[key] = value
        if record.exc_text:
            doc["exception"] = redact(record.exc_text)
        elif record.exc_info:
            # Redacted here too: this formatter also serves records that met no RedactFilter.
            doc["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            doc["stack"] = redact(record.stack_info)
        return json.dumps(doc, default=str, ensure_ascii=False)


class JsonHandler(logging.StreamHandler[TextIO]):
    """Writes to the `sys.stderr` of the moment (test runners swap it), or a fixed stream."""

    is_app_handler = True

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream or sys.stderr)
        self.fixed = stream
        self.setFormatter(JsonFormatter())
        self.addFilter(RedactFilter())

    def emit(self, record: logging.LogRecord) -> None:
        if self.fixed is None:
            self.stream = sys.stderr
        super().emit(record)


def configure(level: str = "INFO", stream: TextIO | None = None) -> None:
    """JSON lines on the root logger; uvicorn's loggers go through it, its access log off.

    Idempotent (one app handler however many apps are made), and other handlers (pytest's
    caplog) stay in place.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "is_app_handler", False):
            root.removeHandler(handler)
    root.addHandler(JsonHandler(stream))
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True


def route_template(scope: Scope, root_path: str = "") -> str:
    """The path pattern that handled the request; never the raw path.

    A route's own pattern (routers here are included without extra prefixes), a mount's
    prefix plus "/{path}", else "unrouted": a path no route knows (404), or a request
    the security middleware refused before routing (403 cross-site, 415 not JSON).
    """
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    mounted = str(scope.get("root_path", ""))
    if mounted.startswith(root_path) and len(mounted) > len(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return "unrouted"


class RequestLogMiddleware:
    """One `app.request` line per HTTP request: method, route, status, duration_ms."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = str(scope.get("root_path", ""))  # a mount extends it
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            request_log.log(
                logging.ERROR if status >= 500 else logging.INFO,
                "request",
                extra={
                    "method": scope["method"],
                    "route": route_template(scope, root_path),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
