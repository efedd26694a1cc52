"""Page: profile, export links, and deleting the account."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser, SettingsDep, clear_session_cookie
from app.errors import Invalid
from app.models import User
from app.routes.api_auth import CLEAR_SITE_DATA
from app.routes.pages_common import EXPIRED, FormDep, csrf_ok, field, render, see_other
from app.services import accounts, safety_plan, sharing
from app.services.catalog import Catalog

router = APIRouter(include_in_schema=False)

SAVED = {
    "profile": "Saved. Your check-ins and help numbers now follow these settings.",
    "reminder": "Saved your reminder.",
    "passphrase": "Your passphrase is changed. Every other device has been signed out.",
    "sessions": "Done. That device is signed out.",
    "link": "Link revoked. It no longer opens.",
}
# Shown beside the name form in the sharing section, where the page lands after saving.
NAME_SAVED = {
    "name": "Saved. Sheets you share now show this name, including links you made before.",
    "noname": "Saved. Sheets you share now show no name.",
}


# The folded part of the page that a notice or an error belongs to comes back open.
OPENS = {
    "profile_errors": "profile",
    "profile_message": "profile",
    "reminder_errors": "reminders",
    "reminder_message": "reminders",
    "security_errors": "security",
    "security_message": "security",
    "delete_errors": "delete",
    "delete_message": "delete",
}
SECTIONS = ("profile", "reminders", "safety", "security", "sharing", "data", "delete")
SAVED_IN = {
    "profile": "profile",
    "reminder": "reminders",
    "passphrase": "security",
    "sessions": "security",
    "link": "sharing",
}


def _context(catalog: Catalog, user: User, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "user": user,
        "nav": "settings",
        "countries": catalog.crisis.countries(),
        "started": user.therapy_started_on.isoformat() if user.therapy_started_on else "",
        "on_medication": user.on_medication,
        "country": user.country,
        "goals": user.goals or "",
        "display_name": user.display_name or "",
        "today": date.today().isoformat(),
        "profile_errors": {},
        "delete_errors": {},
    }
    context.update(extra)
    if "open_section" not in context:
        context["open_section"] = next((OPENS[k] for k in OPENS if context.get(k)), None)
    return context


@router.get("/settings", response_class=HTMLResponse)
def settings_page(
    request: Request,
    user: CurrentUser,
    db: SessionDep,
    catalog: CatalogDep,
    saved: str = "",
    passkey: str = "",
    open: str = "",
) -> Response:
    links = sharing.listing(db, user)
    has_plan = safety_plan.has_plan(safety_plan.get(db, user))
    context = _context(
        catalog,
        user,
        saved=SAVED.get(saved),
        name_saved=NAME_SAVED.get(saved),
        share_links=links,
        has_safety_plan=has_plan,
        open_section=SAVED_IN.get(saved)
        or ("security" if passkey else None)
        or ("sharing" if saved in NAME_SAVED else None)
        or (open if open in SECTIONS else None),
    )
    return render(request, "settings/index.html", context)


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
        links = sharing.listing(db, user)
        has_plan = safety_plan.has_plan(safety_plan.get(db, user))
        context = _context(
            catalog,
            user,
            display_name=typed,
            share_links=links,
            has_safety_plan=has_plan,
            open_section="sharing",  # the folded part with the name form comes back open
            **extra,
        )
        return render(request, "settings/index.html", context, status)

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
        return render(
            request,
            "settings/index.html",
            _context(catalog, user, **typed, profile_message=EXPIRED),
            403,
        )
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
        return render(
            request,
            "settings/index.html",
            _context(catalog, user, **typed, profile_errors=errors),
            422,
        )
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
        return render(
            request, "settings/index.html", _context(catalog, user, delete_message=EXPIRED), 403
        )
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
        return render(
            request, "settings/index.html", _context(catalog, user, delete_errors=errors), 422
        )
    accounts.delete_account(db, user, settings)
    response = render(request, "settings/deleted.html", {"user": None})
    clear_session_cookie(response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
