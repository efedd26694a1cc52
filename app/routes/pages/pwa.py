"""The installable app: manifest and service worker at root scope."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parents[2] / "static"
WORKER = Path(__file__).resolve().parents[2] / "templates" / "sw.js"
THEME = "#1d5c4d"
BACKGROUND = "#faf8f3"

MANIFEST = {
    "name": "Therapy Check-in",
    "short_name": "Check-in",
    "description": "A private weekly check-in on how your therapy is going.",
    "id": "/",
    "start_url": "/?source=home-screen",
    "scope": "/",
    "display": "standalone",
    "orientation": "portrait",
    "theme_color": THEME,
    "background_color": BACKGROUND,
    "lang": "en",
    "categories": ["health", "medical"],
    "icons": [
        {
            "src": "/static/icons/icon-192.png",
            "sizes": "192x192",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": "/static/icons/icon-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": "/static/icons/maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ],
    "shortcuts": [{"name": "This week's check-in", "url": "/checkin"}],
}


@lru_cache(maxsize=1)
def version() -> str:
    """Changes whenever a static file changes, so the worker replaces its shell cache."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update(WORKER.read_bytes())
    return digest.hexdigest()[:12]


@router.get("/manifest.webmanifest")
def manifest() -> JSONResponse:
    return JSONResponse(
        MANIFEST, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"}
    )


@router.get("/sw.js")
def service_worker() -> Response:
    body = WORKER.read_text().replace("__VERSION__", version())
    return Response(
        body,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )
