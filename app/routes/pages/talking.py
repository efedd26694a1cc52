"""Pages: the talking-points sheet (choose, save, print), making and revoking share links."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser, PhrasebookDep
from app.errors import Invalid, NotFound
from app.models import User
from app.routes.pages.charts import sheet_view
from app.routes.pages.common import (
    EXPIRED,
    FormDep,
    csrf_ok,
    field,
    render,
    see_other,
)
from app.schemas import Sheet, row_id
from app.security import SESSION_COOKIE
from app.services import sessions, sharing, talking_points
from app.services.catalog import Catalog

router = APIRouter(include_in_schema=False)

NEW_OWN_FIELDS = 3
SAVED = {
    "choice": "Saved. Your sheet now shows what you ticked.",
}
STALE = (
    "A newer check-in arrived while this page was open, so here is a fresh sheet built "
    "from it. Please tick your points again."
)


def _context(catalog: Catalog, user: User, sheet: Sheet | None, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "user": user,
        "nav": "talking",
        "sheet": sheet,
        "errors": {},
        "new_own": [""] * NEW_OWN_FIELDS,
        "day_choices": sharing.DAY_CHOICES,
        "default_days": sharing.DEFAULT_DAYS,
        "own_max": talking_points.OWN_MAX,
        "own_chars": talking_points.OWN_CHARS,
    }
    if sheet is not None:
        room = max(0, talking_points.OWN_MAX - len(sheet.own))
        context["new_own"] = [""] * min(NEW_OWN_FIELDS, room)
        context.update(sheet_view(catalog, sheet, user.country if sheet.urgent else None))
    context.update(extra)
    return context


@router.get("/talking-points", response_class=HTMLResponse)
def sheet_page(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
    book: PhrasebookDep,
    saved: str = "",
) -> Response:
    sheet = talking_points.build(db, catalog, book, user)
    context = _context(catalog, user, sheet, saved=SAVED.get(saved))
    return render(request, "talking/sheet.html", context)


@router.post("/talking-points", response_class=HTMLResponse)
def save_sheet(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
    book: PhrasebookDep,
) -> Response:
    sheet = talking_points.build(db, catalog, book, user)
    if sheet is None:
        return see_other("/talking-points")
    included = {v for v in form.getlist("include") if isinstance(v, str)}
    new_own = [v for v in form.getlist("own_new") if isinstance(v, str)]
    if not csrf_ok(request, form):
        return render(
            request, "talking/sheet.html", _context(catalog, user, sheet, message=EXPIRED), 403
        )
    if field(form, "checkin_id") != sheet.checkin_id:
        return render(
            request, "talking/sheet.html", _context(catalog, user, sheet, message=STALE), 409
        )
    try:
        talking_points.save_choice(db, user, sheet, included, new_own)
    except Invalid as exc:
        db.rollback()
        context = _context(catalog, user, sheet, errors=exc.fields, new_own=new_own)
        return render(request, "talking/sheet.html", context, 422)
    if field(form, "action") != "share":
        return see_other("/talking-points?saved=choice#sheet")
    # Sharing sends data out: it needs a recent sign-in. The choice above is kept
    # (committed with this request) while the client confirms their passphrase.
    try:
        sessions.require_recent(db, request.cookies.get(SESSION_COOKIE))
    except sessions.ReauthRequired:
        return see_other("/reauth?next=%2Ftalking-points%23share")
    fresh = talking_points.build(db, catalog, book, user)
    assert fresh is not None
    try:
        given = field(form, "days")
        # ASCII digits only ("²" is a digit to isdigit() but not to int()), and few of them.
        days = int(given) if given.isascii() and given.isdigit() and len(given) <= 4 else 0
        token, link = sharing.create(db, user, fresh, days)
    except Invalid as exc:
        db.rollback()  # no link, and the choice stays as it was: nothing half-done
        context = _context(catalog, user, fresh, message=exc.detail)
        return render(request, "talking/sheet.html", context, 422)
    url = str(request.base_url).rstrip("/") + f"/shared/{token}"
    return render(
        request,
        "talking/link_created.html",
        {"user": user, "nav": "talking", "url": url, "expires_at": link.expires_at},
        201,
    )


@router.post("/settings/links/{link_id}/revoke", response_class=HTMLResponse)
def revoke_link(
    request: Request, link_id: str, form: FormDep, user: CurrentUser, db: SessionDep
) -> Response:
    if not csrf_ok(request, form):
        return render(request, "error.html", {"user": user, "status": 403, "message": EXPIRED}, 403)
    number = row_id(link_id)
    if number is None:
        raise NotFound("No such link.")  # as for a link that isn't there: the 404 page
    sharing.revoke(db, user, number)
    return see_other("/settings?saved=link#links")
