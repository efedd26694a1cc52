"""Request bodies at the edge: how large each kind may be, reading them within that, and
the strict JSON check (app/middleware.py uses these before the app sees a byte)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive

from app import strictjson

KB = 1024
MB = 1024 * KB
JSON_LIMIT = 256 * KB
# The largest page form a client can fill validly is the safety plan (or the same plan
# again in the import's "use these values" form): five parts of ten 300-character lines
# and contacts, about 17,000 characters. Percent-encoded, a 4-byte character takes 12
# bytes and a \u-escaped one in JSON 8 or 16: up to about 280 KB of form.
FORM_LIMIT = 384 * KB
UPLOAD_LIMIT = 8 * MB
# (kind of body, path) -> limit, where one route takes more than its kind does.
LARGER = {("json", "/api/import"): UPLOAD_LIMIT, ("multipart", "/settings/import"): UPLOAD_LIMIT}


class BodyTooLarge(Exception):
    """Raised from `receive` when a streaming body passes its limit."""


def body_kind(content_type: str) -> str:
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        return "json"
    return "multipart" if mime == "multipart/form-data" else "form"


def body_limit(kind: str, path: str) -> int:
    return LARGER.get((kind, path), JSON_LIMIT if kind == "json" else FORM_LIMIT)


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or BodyTooLarge as soon as it passes `limit`; None on disconnect."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    done = False

    async def replayed() -> Message:
        nonlocal done
        if done:
            return await receive()  # waits for the disconnect, as the server's would
        done = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def counted(receive: Receive, limit: int) -> Receive:
    size = 0

    async def counting() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyTooLarge(limit)
        return message

    return counting


def json_problem(body: bytes) -> dict[str, Any] | None:
    """What is wrong with a JSON body, as one validation error (no value in it); None if
    nothing is. An empty body is the app's to judge."""
    if not body:
        return None
    try:
        strictjson.loads(body)
    except UnicodeDecodeError:
        return {"loc": ["body"], "msg": "The body is not UTF-8 text.", "type": "json_invalid"}
    except strictjson.JSONRefused as exc:
        return {
            "loc": ["body"],
            "msg": f"Not accepted JSON: {exc.problem}.",
            "type": "json_invalid",
        }
    except json.JSONDecodeError as exc:
        return {"loc": ["body", exc.pos], "msg": "JSON decode error", "type": "json_invalid"}
    return None
