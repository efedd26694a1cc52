"""Accounts and check-ins over plain HTTP, against a live server on 127.0.0.1.

Secure cookies aren't kept by an HTTP client over plain http, so the `__Host-session`
cookie is carried by hand (`session_cookie`).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx2

PASSWORD = "a long and quiet harbour"


def session_cookie(response: httpx2.Response) -> str:
    """`__Host-session=...` from a sign-up or sign-in response, for a Cookie header."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("__Host-session="):
            return header.split(";", 1)[0]
    raise AssertionError(f"no session cookie in {response.status_code} {response.text[:200]}")


def signup(client: httpx2.Client, base: str, username: str | None = None) -> dict[str, str]:
    """A new account; returns headers that carry its session."""
    name = username or f"u{uuid.uuid4().hex[:12]}"
    r = client.post(f"{base}/api/auth/signup", json={"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Cookie": session_cookie(r)}


def middling_answers(items: list[dict[str, Any]]) -> dict[str, int]:
    """Every unconditional required item one step above its minimum, and no risk answer."""
    return {
        i["id"]: i["min"] + (i["domain"] != "safety")
        for i in items
        if i["required"] and not i.get("when")
    }


def questionnaire_items(client: httpx2.Client, base: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"{base}/api/questionnaires/weekly").json()["items"]
    return items
