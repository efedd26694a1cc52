"""JSON: record and read check-ins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.database import SessionDep
from app.deps import CatalogDep, CurrentUser
from app.schemas import ERRORS, CheckInId, CheckInIn, CheckInPage, CheckInResult, FollowUpIn
from app.services import checkins

router = APIRouter(prefix="/api/checkins", tags=["checkins"], responses=ERRORS)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckInResult,
    responses={
        200: {"model": CheckInResult, "description": "Replay of a stored check-in"},
        409: {"description": "Same client_id, different answers"},
    },
)
def create(
    body: CheckInIn, response: Response, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> CheckInResult:
    row, created = checkins.submit(
        db,
        catalog,
        user,
        client_id=str(body.client_id),
        taken_at=body.taken_at,
        answers=dict(body.answers),
        note=body.note,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CheckInResult.of(checkins.result_of(row))


@router.get("", response_model=CheckInPage)
def list_checkins(
    user: CurrentUser,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[str | None, Query(max_length=200)] = None,
) -> CheckInPage:
    results, cursor = checkins.page(db, user, limit, before)
    return CheckInPage(items=[CheckInResult.of(r) for r in results], next=cursor)


@router.delete(
    "/{checkin_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No check-in with that id"}},
)
def remove(
    checkin_id: CheckInId, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> Response:
    """Delete one check-in; the results after it are evaluated again without it."""
    checkins.delete(db, catalog, user, checkin_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{checkin_id}", response_model=CheckInResult)
def read(checkin_id: CheckInId, user: CurrentUser, db: SessionDep) -> CheckInResult:
    return CheckInResult.of(checkins.get(db, user, checkin_id))


@router.post(
    "/{checkin_id}/follow-up",
    response_model=CheckInResult,
    responses={404: {"description": "No check-in with that id"}},
)
def follow_up(
    checkin_id: CheckInId, body: FollowUpIn, user: CurrentUser, db: SessionDep, catalog: CatalogDep
) -> CheckInResult:
    """Add the follow-up answers (support, motivation) to a check-in; its result and the
    later ones are evaluated again with them. Sending them again changes them."""
    return CheckInResult.of(
        checkins.add_follow_up(db, catalog, user, checkin_id, dict(body.answers))
    )
