"""JSON: the weekly reminder schedule and Web Push subscriptions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from app.database import SessionDep
from app.deps import CurrentUser, SettingsDep
from app.errors import NotFound
from app.schemas import ERRORS, EndpointIn, PushSubscriptionIn, ReminderIn, ReminderOut
from app.services import reminders

router = APIRouter(prefix="/api", tags=["reminders"], responses=ERRORS)


@router.get("/push/key")
def push_key(settings: SettingsDep) -> dict[str, Any]:
    return {"public_key": reminders.public_key(settings)}


@router.post("/push/subscriptions", status_code=status.HTTP_201_CREATED)
def push_subscribe(
    body: PushSubscriptionIn, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    reminders.subscribe(db, settings, user, body.endpoint, body.keys.p256dh, body.keys.auth)
    return {"detail": "Reminders are on for this browser."}


@router.delete("/push/subscriptions", status_code=status.HTTP_204_NO_CONTENT)
def push_unsubscribe(body: EndpointIn, user: CurrentUser, db: SessionDep) -> Response:
    if not reminders.unsubscribe(db, user, body.endpoint):
        raise NotFound("No such subscription for this account.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/reminders", response_model=ReminderOut)
def get_reminder(user: CurrentUser) -> ReminderOut:
    return ReminderOut(
        weekday=user.reminder_weekday, time=user.reminder_time, timezone=user.timezone
    )


@router.put("/reminders", response_model=ReminderOut)
def put_reminder(body: ReminderIn, user: CurrentUser, db: SessionDep) -> ReminderOut:
    reminders.set_schedule(db, user, body.weekday, body.time, body.timezone)
    return get_reminder(user)
