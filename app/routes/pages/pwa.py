"""The installable app: manifest and service worker at root scope."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from app.assets import DIGESTS, asset_urls, static_url

router = APIRouter(include_in_schema=False)
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
            "src": static_url("icons/icon-192.png"),
            "sizes": "192x192",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": static_url("icons/icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "any",
        },
        {
            "src": static_url("icons/maskable-512.png"),
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
    digest = hashlib.sha256(json.dumps(DIGESTS, sort_keys=True).encode())
    digest.update(WORKER.read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def worker_script() -> str:
    """sw.js with this version and the hashed URLs it precaches, made once."""
    assets = json.dumps(asset_urls(), sort_keys=True, indent=2)
    return WORKER.read_text().replace("__ASSETS__", assets).replace("__VERSION__", version())


@router.get("/manifest.webmanifest")
async def manifest() -> JSONResponse:
    return JSONResponse(
        MANIFEST, media_type="application/manifest+json", headers={"Cache-Control": "no-cache"}
    )


@router.get("/sw.js")
async def service_worker() -> Response:
    return Response(
        worker_script(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )
