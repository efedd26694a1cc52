"""JSON: questionnaire, profile, summary, export, account deletion."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse

from app.database import WRITES, SessionDep
from app.deps import (
    CLEAR_SITE_DATA,
    CatalogDep,
    CurrentUser,
    OptionalUser,
    RecentUser,
    SettingsDep,
    clear_session_cookie,
)
from app.schemas import ERRORS, ProfileIn, ProfileOut, QuestionnaireOut, SummaryOut
from app.services import accounts, activity, checkins, export

router = APIRouter(prefix="/api", tags=["account"], responses=ERRORS)


@router.get("/questionnaires/weekly", response_model=QuestionnaireOut)
def weekly(catalog: CatalogDep, user: OptionalUser) -> dict[str, Any]:
    """Signed in: only the items asked of this client. Signed out: every item."""
    return catalog.questionnaire.public_dict(user.on_medication if user else None)


def _profile(user: Any) -> ProfileOut:
    return ProfileOut(
        username=user.username,
        therapy_started_on=user.therapy_started_on,
        on_medication=user.on_medication,
        country=user.country,
        goals=user.goals,
        display_name=user.display_name,
    )


@router.get("/profile", response_model=ProfileOut)
def get_profile(user: CurrentUser) -> ProfileOut:
    return _profile(user)


@router.put("/profile", response_model=ProfileOut)
def put_profile(
    body: ProfileIn, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> ProfileOut:
    changes = body.model_dump(exclude_unset=True)
    accounts.update_profile(db, user, known_countries=catalog.country_codes, changes=changes)
    return _profile(user)


@router.get("/summary", response_model=SummaryOut)
def summary(user: CurrentUser, db: SessionDep, catalog: CatalogDep) -> SummaryOut:
    return SummaryOut.of(checkins.summary(db, catalog, user))


@router.get(
    "/export",
    response_model=None,
    responses={200: {"content": {"text/csv": {}}}},
    dependencies=[WRITES],
)
def export_all(
    request: Request,
    user: RecentUser,
    db: SessionDep,
    catalog: CatalogDep,
    format: Literal["json", "csv"] = "json",
) -> Response:
    # The settings page's links land here too (via /settings/export).
    device = activity.device_of(request.headers.get("user-agent", ""))
    activity.record(db, user.id, "export", f"{format.upper()} file, {device}")
    stamp = f"therapy-checkin-{user.username}"
    if format == "csv":
        return PlainTextResponse(
            export.export_csv(db, catalog, user),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{stamp}.csv"'},
        )
    return JSONResponse(
        export.export_json(db, user),
        headers={"Content-Disposition": f'attachment; filename="{stamp}.json"'},
    )


@router.delete("/account", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(user: RecentUser, db: SessionDep, settings: SettingsDep) -> Response:
    accounts.delete_account(db, user, settings)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
