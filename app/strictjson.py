"""JSON as RFC 8259 has it, for anything a client sends: Python's `json` also takes NaN,
Infinity, lone surrogates ("\\ud800"), duplicate keys and any depth it can recurse to.

`loads` refuses those with `JSONRefused`, a `json.JSONDecodeError` whose message names the
problem and never the value; bytes that aren't UTF-8 raise `UnicodeDecodeError`. It is
C-speed where it can be: the parser's own recursion guard stops 100,000 brackets early,
the depth is counted on the text only when it has more brackets than the limit, and
surrogates are looked for only when the text has such an escape.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 32

_ESCAPE = re.compile(r"\\.", re.S)
_STRING = re.compile(r'"[^"]*"')  # once the escapes are gone
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JSONRefused(json.JSONDecodeError):
    """Well-formed enough to parse, but not JSON a client may send."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem, "", 0)
        self.problem = problem

    def __str__(self) -> str:
        return self.problem


def _constant(name: str) -> Any:
    raise JSONRefused(f"{name} is not a JSON value")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JSONRefused("a number is too large")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise JSONRefused("an object has the same key twice")
    return obj


def depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, a valid JSON text (brackets inside
    strings don't count)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text))).encode("ascii")
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a client's JSON strictly (UTF-8, a leading byte-order mark ignored)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes | bytearray) else data
    too_deep = f"arrays and objects nest more than {max_depth} deep"
    try:
        value = json.loads(
            text, parse_constant=_constant, parse_float=_float, object_pairs_hook=_object
        )
    except RecursionError:  # the C parser's own guard, long before the stack runs out
        raise JSONRefused(too_deep) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # int("9" * 5000): Python's limit on the digits of an integer
        raise JSONRefused("a number has too many digits") from None
    # Counted on the text once it is known to be valid JSON, where strings are simple to
    # skip; a few milliseconds per megabyte, and only for texts with many brackets.
    if text.count("[") + text.count("{") > max_depth and depth(text) > max_depth:
        raise JSONRefused(too_deep)
    if "\\u0000" in text.lower():
        # No text the app keeps has a NUL, and PostgreSQL refuses one in a query.
        raise JSONRefused("a string has a NUL character (\\u0000)")
    if _SURROGATE_ESCAPE.search(text):
        # A pair decodes to one character; a lone half stays a surrogate, which no UTF-8
        # text (and so no later encode) can hold.
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise JSONRefused("a string has a lone surrogate (\\ud800-\\udfff)") from None
    return value
