"""Page: a talking-points sheet opened through a share link (no account, read-only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import WRITES, SessionDep
from app.deps import CatalogDep, SettingsDep, client_address
from app.errors import TooManyRequests
from app.routes.pages.charts import sheet_view
from app.routes.pages.common import render
from app.services import ratelimit, sharing

router = APIRouter(include_in_schema=False)

# Kept out of search engines, caches and other sites' logs.
PRIVATE = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


@router.get("/shared/{token}", response_class=HTMLResponse, dependencies=[WRITES])
def shared_sheet(
    request: Request, token: str, db: SessionDep, catalog: CatalogDep, settings: SettingsDep
) -> Response:
    address = client_address(request)
    try:
        ratelimit.check(
            db,
            settings,
            "share-open",
            address,
            sharing.OPENS_PER_WINDOW,
            sharing.OPEN_WINDOW,
            "Too many links opened from this network. Please wait a few minutes.",
        )
    except TooManyRequests as exc:
        headers = {**PRIVATE, "Retry-After": str(exc.retry_after)}
        return render(request, "talking/shared_missing.html", {"status": 429}, 429, headers)
    # Every attempt counts, found or not, so guessing tokens runs into the limit.
    ratelimit.record(db, settings, "share-open", address, sharing.OPEN_WINDOW)
    opened = sharing.open_link(db, token[:100])
    if opened is None:
        return render(request, "talking/shared_missing.html", {"status": 404}, 404, PRIVATE)
    sheet = opened.sheet
    context = sheet_view(catalog, sheet, sheet.crisis_country)
    context["shared"] = {"by": opened.shared_by, "made_at": opened.made_at}
    return render(request, "talking/shared.html", context, headers=PRIVATE)
