"""Static files under names that carry their content hash, cached for a year.

`static_url("css/app.css")` is `/static/css/app.<hash>.css`: a new file content is a new
URL, so the old one can be cached `immutable`. The hashes are made once, when this module
is first imported (the files don't change while the app runs). A hashed name whose hash
isn't the current one (a page from before a deploy, or another instance's newer page in a
rolling one) still gets the file, with a short cache: a stale page keeps its styles, and
no cache keeps today's bytes under another version's name for a year.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
DIGEST_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"
# Unhashed (or stale-hash) URLs: the browser asks again each time (a 304 when unchanged).
REVALIDATE = "no-cache"
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<ext>\.\w+)$")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]


def _digests(root: Path) -> dict[str, str]:
    """Each file's path under `root` ("css/app.css") -> the start of its SHA-256."""
    files = (p for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith("."))
    return {path.relative_to(root).as_posix(): _digest(path) for path in files}


DIGESTS = _digests(STATIC)


def hashed_name(name: str) -> str:
    """The name with its hash: css/app.css -> css/app.3f2a9c1b0d.css (KeyError: no such file)."""
    stem, ext = posixpath.splitext(name)
    return f"{stem}.{DIGESTS[name]}{ext}"


def static_url(name: str) -> str:
    """The URL a page links a static file with; a name with no file fails the page loudly."""
    return "/static/" + hashed_name(name)


def asset_urls() -> dict[str, str]:
    """Every static file's name -> its hashed URL (what the service worker precaches)."""
    return {name: static_url(name) for name in DIGESTS}


def split(path: str) -> tuple[str, str | None]:
    """css/app.3f2a9c1b0d.css -> (css/app.css, 3f2a9c1b0d); an unhashed name -> (it, None)."""
    found = _HASHED.match(path)
    if found is None:
        return path, None
    return found["stem"] + found["ext"], found["digest"]


class HashedStaticFiles(StaticFiles):
    """StaticFiles that answers hashed names with the file, cached for a year when the hash
    is the file's own, and every other name with a short cache."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        name, digest = split(path)
        if digest is not None and name not in DIGESTS:
            name = path  # not one of ours after all: a file that really has such a name
        response = await super().get_response(name, scope)
        current = digest is not None and DIGESTS.get(name) == digest
        response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
        return response
