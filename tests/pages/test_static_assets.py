"""Static files under hashed names, cached for a year; the service worker precaches those."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import assets
from app.assets import IMMUTABLE, STATIC, static_url
from app.routes.pages import pwa
from tests.pages.helpers import get_page, good_answers, post_checkin

HASHED = re.compile(r"^/static/[\w/-]+\.[0-9a-f]{10}\.\w+$")


def linked(client: TestClient, path: str) -> set[str]:
    soup = get_page(client, path)
    found = {str(t.get("href") or t.get("src")) for t in soup.find_all(["link", "script", "img"])}
    return {url for url in found if url.startswith("/static/")}


def test_every_page_links_static_files_by_hash(client: TestClient, user: dict[str, Any]) -> None:
    post_checkin(client, good_answers(client))
    urls: set[str] = set()
    for path in ("/", "/checkin", "/history", "/settings", "/talking-points", "/safety-plan"):
        urls |= linked(client, path)
    assert static_url("css/app.css") in urls and static_url("js/print.js") in urls
    for url in urls:
        assert HASHED.match(url), url
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == IMMUTABLE
        name, _ = assets.split(url.removeprefix("/static/"))
        assert r.content == (STATIC / name).read_bytes()


def test_the_hash_is_the_files_content(client: TestClient) -> None:
    url = static_url("css/app.css")
    assert url == f"/static/css/app.{assets.DIGESTS['css/app.css']}.css"
    assert len({assets.DIGESTS[name] for name in assets.DIGESTS}) == len(assets.DIGESTS)
    with pytest.raises(KeyError):
        static_url("css/missing.css")


def test_unhashed_and_stale_names_get_the_file_with_a_short_cache(client: TestClient) -> None:
    """Not 404: a page kept from before a deploy (or another instance's newer page, in a
    rolling one) still gets its styles. Not immutable: no cache keeps these bytes a year
    under a name that means other bytes."""
    current = (STATIC / "css" / "app.css").read_bytes()
    for path in ("/static/css/app.css", "/static/css/app.0123456789.css"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.content == current
        assert r.headers["cache-control"] == "no-cache", path
        again = client.get(path, headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304, path
    assert client.get("/static/css/nothing.0123456789.css").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404


def test_static_files_carry_the_security_headers(client: TestClient) -> None:
    r = client.get(static_url("js/app.js"))
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_the_worker_precaches_the_hashed_files_and_is_never_kept(client: TestClient) -> None:
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    text = r.text
    listed = json.loads(text[text.index("var ASSETS = ") + 13 : text.index(";\nimportScripts")])
    assert listed == {name: static_url(name) for name in assets.DIGESTS}
    assert f'var VERSION = "{pwa.version()}"' in text
    assert "__" not in text.split("var ASSETS")[1][:20]  # every placeholder filled in
    # No file is named without its hash anywhere else in the worker's code.
    code = re.sub(r"/\*.*?\*/", "", text.replace(json.dumps(listed, indent=2), ""), flags=re.S)
    assert not re.search(r"[\"']/static/\w", code)


def test_the_worker_version_changes_with_any_static_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = pwa.version.__wrapped__()
    changed = {**assets.DIGESTS, "css/app.css": "0" * assets.DIGEST_LENGTH}
    monkeypatch.setattr(pwa, "DIGESTS", changed)
    assert pwa.version.__wrapped__() != before


def test_the_manifest_names_its_icons_by_hash(client: TestClient) -> None:
    manifest = client.get("/manifest.webmanifest").json()
    for icon in manifest["icons"]:
        assert HASHED.match(icon["src"]), icon
        r = client.get(icon["src"])
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert r.headers["cache-control"] == IMMUTABLE
