"""A request's validation errors as a client may see them: where and what, never the value.

FastAPI's default 422 returns each error's `input` (the whole body, for a body that is not
an object) and `ctx`; keys the client made up (a dict's keys, an unknown field) come back
in `loc`. Here each error keeps `loc`, `msg` and `type` only, `loc` names only what the
app defines, a message that quotes the value is replaced, and at most MAX_ERRORS are told.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI

MAX_ERRORS = 20
MAX_MESSAGE = 300
SOME_KEY = "*"  # in `loc`, for a key the client chose
QUOTED = "The value given is not valid here."
_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_PATH_PARAM = re.compile(r"\{(\w+)")


def known_names(app: FastAPI) -> frozenset[str]:
    """Every field, alias and parameter name the app's routes define (made once per app)."""
    cached: frozenset[str] | None = getattr(app.state, "known_names", None)
    if cached is not None:
        return cached
    names = set(_LOCATIONS)
    spec = app.openapi()
    for schema in spec.get("components", {}).get("schemas", {}).values():
        names.update(schema.get("properties", {}))
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            names.update(p["name"] for p in operation.get("parameters", []))
    for route in app.routes:  # page routes are not in the OpenAPI document
        names.update(_PATH_PARAM.findall(getattr(route, "path", "")))
    known = frozenset(names)
    app.state.known_names = known
    return known


def _loc(parts: Iterable[Any], known: frozenset[str]) -> list[str | int]:
    return [
        part if isinstance(part, int) or part in known else SOME_KEY
        for part in parts
        if isinstance(part, str | int)
    ]


def _message(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", ""))[:MAX_MESSAGE]
    value = error.get("input")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        shown = str(value)
        if len(shown) >= 4 and shown in message:
            return QUOTED
    return message


def public_errors(
    errors: Sequence[Mapping[str, Any]], known: frozenset[str]
) -> list[dict[str, Any]]:
    return [
        {"loc": _loc(e.get("loc", ()), known), "msg": _message(e), "type": str(e.get("type", ""))}
        for e in errors[:MAX_ERRORS]
    ]
