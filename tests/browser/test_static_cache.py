"""Hashed static files in Chromium: gzipped over the wire, precached by the worker under
their hashed names, and there offline, an older page's older names included."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, Response, expect

from tests.browser.conftest import PHONE
from tests.browser.test_flow import _sign_up, _watch_origins
from tests.browser.test_pwa import CACHED_CHECKIN

HASHED = re.compile(r"/static/[\w/-]+\.[0-9a-f]{10}\.\w+$")


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Any:
    context = browser.new_context(**PHONE, base_url=live_server)
    page = context.new_page()
    foreign = _watch_origins(page, live_server)
    yield context, page
    context.close()
    assert foreign == [], foreign


def test_pages_load_hashed_gzipped_files_and_keep_working_offline(phone: Any) -> None:
    context, page = phone
    seen: list[Response] = []
    page.on("response", lambda r: seen.append(r) if "/static/" in r.url else None)
    first = page.goto("/login")
    assert first is not None and first.headers.get("content-encoding") == "gzip"  # same-origin
    statics = [r for r in seen if r.url.endswith((".css", ".js"))]
    assert statics and all(HASHED.search(r.url) for r in statics), [r.url for r in statics]
    for r in statics:
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable", r.url
        assert r.headers.get("content-encoding") == "gzip", r.url

    _sign_up(page, f"hash{uuid.uuid4().hex[:6]}")
    page.goto("/checkin")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(CACHED_CHECKIN)
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href") or ""
    assert HASHED.search(stylesheet), stylesheet
    # Everything the pages link is in the worker's shell cache under its hashed name.
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const key of await caches.keys()) {
            if (!key.startsWith('shell-')) continue;
            for (const req of await (await caches.open(key)).keys()) urls.push(new URL(req.url).pathname);
          }
          return urls;
        }"""
    )
    linked = page.evaluate(
        '[...document.querySelectorAll(\'link[href^="/static/"], script[src^="/static/"]\')]'
        ".map(e => e.getAttribute('href') || e.getAttribute('src'))"
    )
    assert linked and set(linked) <= set(cached), (linked, cached)

    context.set_offline(True)
    page.reload()
    expect(page.locator("form.checkin fieldset").first).to_be_visible()
    # The stylesheet came from the cache and applies (a hidden skip link is off-screen).
    assert page.evaluate(
        "document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0"
    )
    assert page.evaluate("typeof Outbox") == "object"  # the scripts ran too
    # A page kept from before an update names older hashes: the worker answers with this
    # version's file of the same name.
    old = re.sub(r"\.[0-9a-f]{10}\.css$", ".0000000000.css", stylesheet)
    text = page.evaluate("async (url) => (await fetch(url)).text()", old)
    assert "@media print" in text
    context.set_offline(False)
