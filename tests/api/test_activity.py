"""The activity log the client can read: exports, imports, share links made, opened, revoked."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.services.activity import KINDS
from tests.conftest import signup
from tests.helpers import best_answers, post_checkin, questionnaire
from tests.pages.helpers import get_page, hidden, shared_path

NOTE = "the quiet thing about my father"
FIREFOX = "Mozilla/5.0 (Android 14; Mobile; rv:131.0) Gecko/131.0 Firefox/131.0"


def make_link(client: TestClient) -> str:
    """A share link for the latest check-in's sheet (every point ticked); returns its path."""
    form = get_page(client, "/talking-points").find("form", action="/talking-points")
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "checkin_id": hidden(form, "checkin_id"),
        "include": [str(b["value"]) for b in form.select("input.pick")],
        "days": "7",
        "action": "share",
    }
    r = client.post("/talking-points", data=data)
    assert r.status_code == 201, r.text
    return shared_path(r)


def kinds(client: TestClient) -> list[str]:
    r = client.get("/api/activity")
    assert r.status_code == 200, r.text
    return [item["kind"] for item in r.json()["items"]]


def test_exports_imports_and_share_links_are_in_the_log(client: TestClient, user: Any) -> None:
    assert post_checkin(client, best_answers(questionnaire(client)), note=NOTE).status_code == 201
    path = make_link(client)
    with TestClient(client.app, base_url="https://testserver") as therapist:  # no account
        assert therapist.get(path).status_code == 200
    assert kinds(client)[:2] == ["share_opened", "share_created"]

    settings = get_page(client, "/settings")
    form = settings.select("li.share-link form")[0]
    client.post(form["action"], data={"csrf_token": hidden(form, "csrf_token")})
    exported = client.get("/api/export", headers={"User-Agent": FIREFOX}).json()
    client.get("/api/export", params={"format": "csv"})
    assert client.post("/api/import", json=exported).status_code == 200

    r = client.get("/api/activity")
    items = r.json()["items"]
    assert [i["kind"] for i in items][:6] == [
        "import",
        "export",
        "export",
        "share_revoked",
        "share_opened",
        "share_created",
    ]
    assert all(i["title"] == KINDS[i["kind"]] for i in items)
    by_kind = {i["kind"]: i["detail"] for i in reversed(items)}  # the newest of each kind
    assert by_kind["import"] == "0 check-ins added"
    assert by_kind["share_created"] == "works for 7 days"
    assert by_kind["share_opened"].startswith("the link made on ")
    details = [i["detail"] for i in items if i["kind"] == "export"]
    assert details == ["CSV file, A browser", "JSON file, Firefox on Android"]
    # Never answers or note text, never the link's token.
    body = r.text
    assert NOTE not in body and path.rsplit("/", 1)[1] not in body
    assert not any(item_id in body for item_id in best_answers(questionnaire(client)))
    # The JSON export carries the log too (the account owns it).
    assert [e["kind"] for e in exported["activity"]][:1] == ["export"]


def test_the_log_is_the_accounts_own_and_needs_a_sign_in(client: TestClient) -> None:
    signup(client)
    client.get("/api/export")
    client.cookies.clear()
    assert client.get("/api/activity").status_code == 401
    assert client.get("/settings/activity", follow_redirects=False).status_code == 303
    signup(client)
    assert "export" not in kinds(client)


def test_settings_show_the_latest_events_and_link_to_the_full_page(
    client: TestClient, user: Any, engine: Engine
) -> None:
    with Session(engine) as db:
        db.exec(text("UPDATE account SET timezone = 'Asia/Tokyo'"))  # type: ignore[call-overload]
        db.commit()
    for _ in range(7):
        client.get("/api/export", headers={"User-Agent": FIREFOX})
    latest = client.get("/api/activity").json()["items"][0]

    section = get_page(client, "/settings").find("section", id="activity")
    assert section is not None
    entries = section.select("ul.activity li")
    assert len(entries) == 5
    first = entries[0]
    assert first.time["datetime"] == latest["at"]
    local = datetime.fromisoformat(latest["at"].replace("Z", "+00:00")).astimezone(
        ZoneInfo("Asia/Tokyo")
    )
    assert first.time.get_text() == f"{local:%a} {local.day} {local:%b %Y, %H:%M}"
    assert "Data exported" in first.get_text() and "Firefox on Android" in first.get_text()
    assert section.find("a", href="/settings/activity") is not None

    page = get_page(client, "/settings/activity")
    listed = page.select("main ul.activity li")
    assert len(listed) == len(client.get("/api/activity").json()["items"]) >= 7
    assert "Asia/Tokyo" in page.main.get_text()


def test_a_new_account_shows_an_empty_log_kindly(
    client: TestClient, user: Any, engine: Engine
) -> None:
    with Session(engine) as db:
        db.exec(text("DELETE FROM activity_event"))  # type: ignore[call-overload]
        db.commit()
    section = get_page(client, "/settings").find("section", id="activity")
    assert "Nothing yet." in section.get_text()
    assert "Nothing yet." in get_page(client, "/settings/activity").main.get_text()
