"""Weekly reminders: the schedule, the calendar file, and Web Push sent exactly once a week."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import PushSubscription, User
from app.services import reminders
from app.settings import ROOT, get_settings
from tests.conftest import signup
from tests.helpers import best_answers, post_checkin, questionnaire


class FakePushService:
    """A push service on 127.0.0.1 that records deliveries and can say 'gone'."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.gone: set[str] = set()
        self.bodies: list[bytes] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                service.bodies.append(body)
                service.hits[self.path] += 1
                self.send_response(410 if self.path in service.gone else 201)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def push_service(settings, tmp_path, monkeypatch) -> Iterator[FakePushService]:
    # The app's own settings (the cron command reads the same from the environment).
    monkeypatch.setenv("PUSH_SERVICE_HOSTS", '["127.0.0.1"]')
    monkeypatch.setenv("VAPID_PRIVATE_KEY_FILE", str(tmp_path / "vapid.pem"))
    monkeypatch.setattr(settings, "PUSH_SERVICE_HOSTS", ["127.0.0.1"])
    monkeypatch.setattr(settings, "VAPID_PRIVATE_KEY_FILE", tmp_path / "vapid.pem")
    get_settings.cache_clear()
    service = FakePushService()
    yield service
    service.close()


def browser_keys() -> dict[str, str]:
    """What a browser's PushSubscription.toJSON() carries: its ECDH key and auth secret."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    return {"p256dh": b64(raw), "auth": b64(secrets.token_bytes(16))}


def due_now(client) -> None:
    """A reminder that fell due earlier today (UTC)."""
    today = datetime.now(UTC).isoweekday()
    r = client.put("/api/reminders", json={"weekday": today, "time": "00:00", "timezone": "UTC"})
    assert r.status_code == 200, r.text


def subscribe(client, service: FakePushService, name: str) -> str:
    endpoint = f"{service.url}/push/{name}"
    r = client.post(
        "/api/push/subscriptions",
        json={"endpoint": endpoint, "expirationTime": None, "keys": browser_keys()},
    )
    assert r.status_code == 201, r.text
    return f"/push/{name}"


def send(engine: Engine) -> reminders.SendReport:
    with Session(engine) as db:
        report = reminders.send_due(db, get_settings())
        db.commit()
    return report


def test_schedule_validation(client, user):
    assert client.get("/api/reminders").json() == {"weekday": None, "time": None, "timezone": "UTC"}
    for bad in (
        {"weekday": 8, "time": "10:00"},
        {"weekday": 1, "time": "25:00"},
        {"weekday": 1, "time": "10:00", "timezone": "Mars/Olympus"},
        {"weekday": 1},
        {"weekday": "1", "time": "10:00"},
    ):
        assert client.put("/api/reminders", json=bad).status_code == 422, bad
    r = client.put(
        "/api/reminders", json={"weekday": 3, "time": "19:30", "timezone": "Europe/Dublin"}
    )
    assert r.json() == {"weekday": 3, "time": "19:30", "timezone": "Europe/Dublin"}


def test_ics_is_a_weekly_event_linking_to_the_checkin(client, user):
    client.put("/api/reminders", json={"weekday": 2, "time": "18:45", "timezone": "UTC"})
    r = client.get("/settings/reminder.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    event = next(iter(Calendar.from_ical(r.content).walk("VEVENT")))
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    start = event.decoded("DTSTART")
    assert (start.isoweekday(), start.hour, start.minute) == (2, 18, 45)
    assert str(event["URL"]) == "https://testserver/checkin"
    assert user["username"] not in r.text  # nothing about the person in their calendar


def test_push_subscription_must_point_at_a_push_service(client, user, push_service):
    for endpoint in ("https://evil.example/collect", "http://10.0.0.5/push", "file:///etc/passwd"):
        r = client.post(
            "/api/push/subscriptions", json={"endpoint": endpoint, "keys": browser_keys()}
        )
        assert r.status_code == 422, endpoint


def test_each_due_reminder_is_sent_once_a_week_and_says_nothing_sensitive(
    client, user, push_service, engine
):
    due_now(client)
    path = subscribe(client, push_service, "phone")
    report = send(engine)
    assert report.sent == 1 and push_service.hits[path] == 1
    assert send(engine).sent == 0 and push_service.hits[path] == 1  # once per week
    # The payload is encrypted for the browser; the plain text is fixed and harmless.
    assert b"check-in" not in push_service.bodies[0]
    assert "answer" not in reminders.PUSH_BODY.lower()


def test_no_reminder_when_the_person_checked_in_this_week(client, user, push_service, engine):
    due_now(client)
    path = subscribe(client, push_service, "recent")
    post_checkin(client, best_answers(questionnaire(client)))
    assert send(engine).skipped_recent == 1
    assert push_service.hits[path] == 0


def test_subscriptions_the_push_service_reports_gone_are_dropped(
    client, user, push_service, engine
):
    due_now(client)
    path = subscribe(client, push_service, "old-phone")
    push_service.gone.add(path)
    assert send(engine).gone == 1
    with Session(engine) as db:
        from app import repositories as repo

        assert repo.push_subscriptions_with_users(db) == []


def test_unsubscribe(client, user, push_service):
    subscribe(client, push_service, "mine")
    endpoint = f"{push_service.url}/push/mine"
    assert (
        client.request("DELETE", "/api/push/subscriptions", json={"endpoint": endpoint}).status_code
        == 204
    )
    assert (
        client.request("DELETE", "/api/push/subscriptions", json={"endpoint": endpoint}).status_code
        == 404
    )


def _subscriptions(engine: Engine) -> list[tuple[str, str, str]]:
    """(endpoint, username, p256dh) of every stored subscription."""
    with Session(engine) as db:
        rows = db.exec(
            select(PushSubscription.endpoint, User.username, PushSubscription.p256dh).join(
                User, User.id == PushSubscription.user_id
            )
        ).all()
    return [tuple(row) for row in rows]


def test_a_push_endpoint_stays_bound_to_its_account(app, client, push_service, engine):
    owner = signup(client)["username"]
    due_now(client)
    endpoint = f"{push_service.url}/push/shared-phone"
    subscribe(client, push_service, "shared-phone")
    again = browser_keys()  # the same browser again, with fresh keys: idempotent
    r = client.post("/api/push/subscriptions", json={"endpoint": endpoint, "keys": again})
    assert r.status_code == 201, r.text
    assert _subscriptions(engine) == [(endpoint, owner, again["p256dh"])]

    with TestClient(app, base_url="https://testserver") as other:
        signup(other)
        r = other.post(
            "/api/push/subscriptions", json={"endpoint": endpoint, "keys": browser_keys()}
        )
        assert r.status_code == 409
        assert r.json() == {"detail": reminders.TAKEN}
        # Nor can it end the owner's subscription by naming the endpoint.
        r = other.request("DELETE", "/api/push/subscriptions", json={"endpoint": endpoint})
        assert r.status_code == 404
    assert _subscriptions(engine) == [(endpoint, owner, again["p256dh"])]
    assert send(engine).sent == 1 and push_service.hits["/push/shared-phone"] == 1


def test_an_endpoint_stored_meanwhile_by_another_account_is_a_409_not_a_500(
    app, client, push_service, engine, monkeypatch
):
    owner = signup(client)["username"]
    endpoint = f"{push_service.url}/push/raced"
    subscribe(client, push_service, "raced")
    # The other request looked before the owner's insert was committed: it saw nothing.
    looked = reminders.repo.push_subscription_by_endpoint
    calls: list[str] = []

    def first_sees_nothing(db, wanted):
        calls.append(wanted)
        return None if len(calls) == 1 else looked(db, wanted)

    monkeypatch.setattr(reminders.repo, "push_subscription_by_endpoint", first_sees_nothing)
    with TestClient(app, base_url="https://testserver") as other:
        signup(other)
        r = other.post(
            "/api/push/subscriptions", json={"endpoint": endpoint, "keys": browser_keys()}
        )
        assert r.status_code == 409, r.text
        assert other.get("/api/profile").status_code == 200  # the request's session is fine
    assert len(calls) == 2
    assert [(e, u) for e, u, _ in _subscriptions(engine)] == [(endpoint, owner)]


def run_cron_twice_at_once(database_url: str) -> list[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", "send-reminders"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs)
    return outputs


def test_two_cron_runs_at_once_send_each_reminder_once(client, push_service, settings):
    paths = []
    for i in range(6):
        client.cookies.clear()
        signup(client, f"cron{i}")
        due_now(client)
        paths.append(subscribe(client, push_service, f"p{i}"))
    outputs = run_cron_twice_at_once(settings.DATABASE_URL)
    assert sum(int(out.split()[1].rstrip(",")) for out in outputs) == 6, outputs
    assert all(push_service.hits[p] == 1 for p in paths), push_service.hits


def test_push_key_is_a_p256_public_key(client, push_service):
    key = client.get("/api/push/key").json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point
