"""Weekly reminders: the schedule, an .ics file, Web Push subscriptions and sending.

Sending is safe to run from cron on several machines at once: each subscription is
claimed for the current week with one conditional UPDATE, and only the run whose
UPDATE changed the row sends.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from icalendar import Calendar, Event, vRecur
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import repositories as repo
from app.errors import Conflict, Invalid
from app.models import PushSubscription, User, utcnow
from app.settings import Settings

log = logging.getLogger(__name__)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Lock screens are public: the reminder says nothing about the person or their answers.
PUSH_TITLE = "Therapy Check-in"
PUSH_BODY = "Your weekly check-in is ready when you are. It takes about two minutes."
# A reminder is skipped when the person checked in this recently anyway.
RECENT = timedelta(days=5)
TAKEN = "This browser's reminders belong to another account. Nothing was changed."


def set_schedule(
    db: Session, user: User, weekday: int | None, at: str | None, timezone: str | None
) -> None:
    fields: dict[str, str] = {}
    if weekday is not None and not 1 <= weekday <= 7:
        fields["weekday"] = "Choose a day of the week."
    if at is not None and not TIME_RE.fullmatch(at):
        fields["time"] = "Use a time like 19:30."
    if (weekday is None) != (at is None):
        fields["time" if at is None else "weekday"] = "Choose both a day and a time."
    tz = timezone or user.timezone or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fields["timezone"] = "Unknown time zone."
    if fields:
        raise Invalid(" ".join(fields.values()), fields=fields)
    user.reminder_weekday, user.reminder_time, user.timezone = weekday, at, tz
    repo.add(db, user)


def ics(user: User, checkin_url: str) -> bytes:
    """A weekly recurring event in floating local time, linking to the check-in."""
    if user.reminder_weekday is None or user.reminder_time is None:
        raise Invalid("Choose a day and time for your reminder first.")
    hour, minute = (int(part) for part in user.reminder_time.split(":"))
    today = date.today()
    first = today + timedelta(days=(user.reminder_weekday - today.isoweekday()) % 7)
    cal = Calendar()
    cal.add("prodid", "-//Therapy Check-in//weekly reminder//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"weekly-checkin-{user.id}@therapy-checkin")
    event.add("summary", "Weekly check-in")
    event.add("description", f"About two minutes: {checkin_url}")
    event.add("url", checkin_url)
    event.add("dtstamp", utcnow())
    event.add("dtstart", datetime.combine(first, time(hour, minute)))
    event.add("duration", timedelta(minutes=10))
    event.add("rrule", vRecur(freq="weekly"))
    cal.add_component(event)
    return bytes(cal.to_ical())


# --- Web Push --------------------------------------------------------------


def vapid(settings: Settings) -> Vapid:
    """The server's VAPID key, created on first use when the file doesn't exist."""
    path = Path(settings.VAPID_PRIVATE_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Vapid()
        key.generate_keys()
        # Written aside, then linked into place: a process starting at the same moment
        # never reads half a file, and the first key made is the one that stays.
        spare = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        key.save_key(str(spare))
        spare.chmod(0o600)
        try:
            os.link(spare, path)
        except FileExistsError:
            pass
        finally:
            spare.unlink()
    return Vapid.from_file(str(path))


def public_key(settings: Settings) -> str:
    """The application server key a browser subscribes with (base64url, uncompressed point)."""
    raw = vapid(settings).public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def endpoint_allowed(settings: Settings, endpoint: str) -> bool:
    """Only the browsers' push services: the server must never be made to post elsewhere."""
    url = urlsplit(endpoint)
    host = (url.hostname or "").lower()
    if url.scheme != "https" and not (url.scheme == "http" and host == "127.0.0.1"):
        return False
    return any(
        host == allowed or host.endswith("." + allowed) for allowed in settings.PUSH_SERVICE_HOSTS
    )


def subscribe(
    db: Session, settings: Settings, user: User, endpoint: str, p256dh: str, auth: str
) -> None:
    assert user.id is not None
    if not endpoint_allowed(settings, endpoint):
        raise Invalid("That push endpoint is not a known browser push service.")
    existing = repo.push_subscription_by_endpoint(db, endpoint)
    if existing is None:
        row = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
        try:
            repo.insert_push_subscription(db, row)
            return
        except IntegrityError:
            # The same endpoint arrived twice at once (two tabs, two accounts): one row wins.
            existing = repo.push_subscription_by_endpoint(db, endpoint)
            if existing is None:
                raise
    # An endpoint is bound to the account that registered it: another can neither take
    # it over nor end it (a known endpoint is no proof of holding the browser).
    if existing.user_id != user.id:
        raise Conflict(TAKEN)
    existing.p256dh, existing.auth = p256dh, auth  # the same browser again: idempotent
    repo.add(db, existing)


def unsubscribe(db: Session, user: User, endpoint: str) -> bool:
    row = repo.push_subscription_by_endpoint(db, endpoint)
    if row is None or row.user_id != user.id:
        return False
    repo.delete_push_subscription(db, row)
    return True


@dataclass
class SendReport:
    sent: int = 0
    skipped_recent: int = 0
    gone: int = 0
    failed: int = 0


def week_key(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def due_at(user: User, now: datetime) -> datetime | None:
    """This week's reminder time (aware), or None when no reminder is set."""
    if user.reminder_weekday is None or user.reminder_time is None:
        return None
    tz = ZoneInfo(user.timezone or "UTC")
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.isoweekday() - 1)
    hour, minute = (int(p) for p in user.reminder_time.split(":"))
    day = monday + timedelta(days=user.reminder_weekday - 1)
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def send_due(db: Session, settings: Settings, now: datetime | None = None) -> SendReport:
    """Send every reminder due now that hasn't been sent this week; commit per claim."""
    now = now or utcnow()
    report = SendReport()
    key = vapid(settings)
    for sub, user in repo.push_subscriptions_with_users(db):
        due = due_at(user, now)
        if due is None or now < due:
            continue
        week = week_key(due)
        if sub.last_sent_week == week:
            continue
        assert user.id is not None
        latest = repo.latest_checkins(db, user.id, 1)
        recent = bool(latest) and now - latest[0].taken_at < RECENT
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        if not repo.claim_push_week(db, sub.id, week):
            continue
        # The claim is the lock: commit it, and touch nothing of the database until the
        # slow network call is over, so no transaction stays open across it.
        db.commit()
        if recent:
            report.skipped_recent += 1
            continue
        try:
            webpush(
                subscription_info=info,
                data=json.dumps({"title": PUSH_TITLE, "body": PUSH_BODY, "url": "/checkin"}),
                vapid_private_key=key,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=12 * 3600,
                timeout=10,
            )
            report.sent += 1
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                repo.delete_push_subscription(db, sub)
                db.commit()
                report.gone += 1
            else:
                log.warning("push delivery failed", extra={"status": status})
                report.failed += 1
    return report
