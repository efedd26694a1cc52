"""Page: profile, export links, and deleting the account."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CLEAR_SITE_DATA, CatalogDep, CurrentUser, SettingsDep, clear_session_cookie
from app.errors import Invalid
from app.routes.pages.common import EXPIRED, FormDep, csrf_ok, field, render, see_other
from app.routes.pages.settings_view import (
    NAME_SAVED,
    SAVED,
    SAVED_IN,
    SECTIONS,
    settings_page,
)
from app.services import accounts

router = APIRouter(include_in_schema=False)


@router.get("/settings", response_class=HTMLResponse)
def settings(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
    saved: str = "",
    passkey: str = "",
    open: str = "",
) -> Response:
    return settings_page(
        request,
        db,
        catalog,
        user,
        saved=SAVED.get(saved),
        name_saved=NAME_SAVED.get(saved),
        open_section=SAVED_IN.get(saved)
        or ("security" if passkey else None)
        or (open if open in SECTIONS else None),
    )


@router.get("/settings/profile")
@router.get("/settings/delete")
def settings_redirect() -> Response:
    """Landing here after signing in again (the forms post here): go to the page itself."""
    return see_other("/settings")


@router.get("/settings/display-name")
def display_name_redirect() -> Response:
    return see_other("/settings?open=sharing#links")


@router.post("/settings/display-name", response_class=HTMLResponse)
def save_display_name(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    """The name on shared sheets: trimmed, up to 60 characters, empty for none."""
    typed = field(form, "display_name")

    def again(status: int, **extra: Any) -> Response:
        # The whole page again, with what was typed kept in the field.
        return settings_page(
            request, db, catalog, user, status, display_name=typed, open_section="sharing", **extra
        )

    if not csrf_ok(request, form):
        return again(403, name_message=EXPIRED)
    try:
        accounts.update_profile(
            db, user, known_countries=catalog.country_codes, changes={"display_name": typed}
        )
    except Invalid as exc:
        db.rollback()  # nothing half-saved
        return again(422, name_errors=exc.fields or {"display_name": str(exc.detail)})
    return see_other(f"/settings?saved={'name' if user.display_name else 'noname'}#links")


@router.post("/settings/profile", response_class=HTMLResponse)
def save_profile(
    request: Request, form: FormDep, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    started_raw = field(form, "therapy_started_on").strip()
    medication = field(form, "on_medication")
    country = field(form, "country").strip()
    goals = field(form, "goals") if "goals" in form else (user.goals or "")
    typed = {
        "started": started_raw,
        "on_medication": medication == "yes",
        "country": country or user.country,
        "goals": goals,
    }
    if not csrf_ok(request, form):
        return settings_page(request, db, catalog, user, 403, **typed, profile_message=EXPIRED)
    errors: dict[str, str] = {}
    started: date | None = None
    if started_raw:
        try:
            started = date.fromisoformat(started_raw)
        except ValueError:
            errors["therapy_started_on"] = "Please enter a date, like 2026-03-01."
    if medication not in ("yes", "no"):
        errors["on_medication"] = "Please choose yes or no."
    if not errors:
        try:
            accounts.update_profile(
                db,
                user,
                known_countries=catalog.country_codes,
                changes={
                    "therapy_started_on": started,
                    "on_medication": medication == "yes",
                    "country": country or user.country,
                    "goals": goals,
                },
            )
        except Invalid as exc:
            db.rollback()  # nothing half-saved
            errors = exc.fields or {"therapy_started_on": str(exc.detail)}
    if errors:
        return settings_page(request, db, catalog, user, 422, **typed, profile_errors=errors)
    return see_other("/settings?saved=profile")


@router.post("/settings/delete", response_class=HTMLResponse)
def delete(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
    settings: SettingsDep,
) -> Response:
    if not csrf_ok(request, form):
        return settings_page(request, db, catalog, user, 403, delete_message=EXPIRED)
    errors: dict[str, str] = {}
    if field(form, "confirm") != "yes":
        errors["confirm"] = "Please tick the box to confirm."
    typed = field(form, "password")
    problem = None
    if not typed:
        problem = "Please type your passphrase."
    else:
        try:
            accounts.confirm_password(db, settings, user, typed)
        except Invalid as exc:
            problem = exc.fields["password"]
    if problem:
        errors["password"] = problem
    if errors:
        return settings_page(request, db, catalog, user, 422, delete_errors=errors)
    accounts.delete_account(db, user, settings)
    response = render(request, "settings/deleted.html", {"user": None})
    clear_session_cookie(response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
