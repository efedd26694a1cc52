"""Read-only links for the therapist: making, opening, expiry, revoking, rate limits."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import ShareLink, User, utcnow
from app.schemas import Sheet
from app.services import sharing, talking_points
from tests import heavy_case
from tests.conftest import PASSWORD
from tests.helpers import best_answers, questionnaire
from tests.helpers import post_checkin as api_checkin
from tests.pages.helpers import (
    get_page,
    good_answers,
    hidden,
    post_checkin,
    shared_path,
)


def _make_link(client: TestClient, leave_out: tuple[str, ...] = (), days: str = "14") -> str:
    soup = get_page(client, "/talking-points")
    form = soup.find("form", action="/talking-points")
    keys = [str(b["value"]) for b in form.select("input.pick")]
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "checkin_id": hidden(form, "checkin_id"),
        "include": [k for k in keys if k not in leave_out],
        "days": days,
        "action": "share",
    }
    r = client.post("/talking-points", data=data)
    assert r.status_code == 201, r.text
    return shared_path(r)


def _visitor(client: TestClient) -> TestClient:
    """A fresh browser: no session, no cookies."""
    return TestClient(client.app, base_url="https://testserver")


def _rows(engine: Engine) -> list[Any]:
    with Session(engine) as db:
        return list(db.exec(text("SELECT * FROM share_link")).mappings().all())  # type: ignore[call-overload]


def test_link_shows_only_the_chosen_points(client: TestClient, user: dict[str, Any]) -> None:
    heavy_case.seed(client)
    path = _make_link(client, leave_out=("sign:dependency", "goals"))
    with _visitor(client) as visitor:
        r = visitor.get(path)
    assert r.status_code == 200
    assert r.headers["x-robots-tag"].startswith("noindex")
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    titles = [t.get_text() for t in soup.select(".pt-title")]
    assert len(titles) == len(heavy_case.NEGATIVE_SIGNS) - 1
    assert "I find it hard to cope on my own between sessions" not in titles
    assert soup.find(class_="goals") is None
    assert len(soup.select(".pt-note")) == 3
    # Nothing else: no navigation, no form, no username, no checkboxes.
    assert soup.find("nav") is None and soup.find("form") is None
    assert soup.find("input") is None
    assert user["username"] not in r.text
    assert soup.find(class_="sheet-crisis") is not None  # the risk point was shared


def test_the_snapshot_does_not_follow_later_changes(
    client: TestClient, user: dict[str, Any]
) -> None:
    post_checkin(client, good_answers(client), note="Private thought one")
    path = _make_link(client)
    post_checkin(client, good_answers(client), note="Written after sharing")
    client.put("/api/profile", json={"goals": "Added later"})
    with _visitor(client) as visitor:
        page = visitor.get(path).text
    assert "Private thought one" in page
    assert "Written after sharing" not in page and "Added later" not in page


def test_crisis_lines_go_along_only_with_the_risk_point(
    client: TestClient, user: dict[str, Any]
) -> None:
    heavy_case.seed(client)
    path = _make_link(client, leave_out=("sign:self_harm_risk",))
    with _visitor(client) as visitor:
        soup = BeautifulSoup(visitor.get(path).text, "html.parser")
    assert soup.find(class_="sheet-crisis") is None
    assert "hurting myself" not in soup.get_text()


def test_token_is_long_random_and_stored_only_hashed(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    post_checkin(client, good_answers(client))
    paths = {_make_link(client) for _ in range(2)}
    assert len(paths) == 2
    for path in paths:
        token = path.removeprefix("/shared/")
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 bytes = 256 bits
        rows = [
            r
            for r in _rows(engine)
            if r["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
        ]
        assert len(rows) == 1
        assert token not in str(_rows(engine))
    row = _rows(engine)[0]
    expires = row["expires_at"]
    assert str(expires)[:10] == (utcnow() + timedelta(days=14)).date().isoformat()


def test_settings_lists_links_with_expiry_and_opens(
    client: TestClient, user: dict[str, Any]
) -> None:
    post_checkin(client, good_answers(client))
    path = _make_link(client, days="7")
    with _visitor(client) as visitor:
        for _ in range(3):
            assert visitor.get(path).status_code == 200
    section = get_page(client, "/settings").find("section", id="links")
    items = section.select("li.share-link")
    assert len(items) == 1
    words = " ".join(items[0].get_text().split())
    expires = utcnow() + timedelta(days=7)
    assert f"works until {expires.day} {expires:%B %Y}" in words
    assert "Opened 3 times" in words
    assert items[0].find("form", action=re.compile(r"^/settings/links/\d+/revoke$")) is not None


def test_revoked_expired_and_unknown_links_are_plain_404s(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    post_checkin(client, good_answers(client))
    revoked, expired = _make_link(client), _make_link(client)
    soup = get_page(client, "/settings")
    form = soup.select("li.share-link form")[-1]  # newest first: the last is the oldest
    r = client.post(str(form["action"]), data={"csrf_token": hidden(form, "csrf_token")})
    assert r.status_code == 200 and "Link revoked" in r.text
    with Session(engine) as db:
        db.exec(  # type: ignore[call-overload]
            text("UPDATE share_link SET expires_at = :past WHERE revoked_at IS NULL"),
            params={"past": utcnow() - timedelta(minutes=1)},
        )
        db.commit()
    with _visitor(client) as visitor:
        for path in (revoked, expired, "/shared/" + "A" * 43, "/shared/short"):
            r = visitor.get(path)
            assert r.status_code == 404, path
            assert r.headers["x-robots-tag"].startswith("noindex")
            assert "isn't available" in r.text
            assert "Private thought" not in r.text
    words = " ".join(get_page(client, "/settings").find("section", id="links").get_text().split())
    assert "revoked on" in words and "expired on" in words
    assert get_page(client, "/settings").select("li.share-link form") == []


def test_revoking_someone_elses_link_is_not_found(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    post_checkin(client, good_answers(client))
    _make_link(client)
    link_id = _rows(engine)[0]["id"]
    with _visitor(client) as other:
        other.post("/api/auth/signup", json={"username": "otherone", "password": PASSWORD})
        token = BeautifulSoup(other.get("/settings").text, "html.parser")
        csrf = hidden(token.find("form", action="/settings/profile"), "csrf_token")
        r = other.post(f"/settings/links/{link_id}/revoke", data={"csrf_token": csrf})
        assert r.status_code == 404
        assert other.post(f"/settings/links/{link_id}/revoke", data={}).status_code == 403
    assert _rows(engine)[0]["revoked_at"] is None


def test_opening_links_is_rate_limited(
    client: TestClient, user: dict[str, Any], monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setattr(sharing, "OPENS_PER_WINDOW", 3)
    post_checkin(client, good_answers(client))
    path = _make_link(client)
    with _visitor(client) as visitor:
        codes = [visitor.get(p).status_code for p in (path, "/shared/" + "B" * 43, path, path)]
        assert codes == [200, 404, 200, 429]
        r = visitor.get(path)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.headers["x-robots-tag"].startswith("noindex")
    assert _rows(engine)[0]["open_count"] == 2


def test_nothing_ticked_makes_no_link(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    post_checkin(client, good_answers(client))
    soup = get_page(client, "/talking-points")
    form = soup.find("form", action="/talking-points")
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "checkin_id": hidden(form, "checkin_id"),
        "action": "share",
        "days": "14",
    }
    r = client.post("/talking-points", data=data)
    assert r.status_code == 422 and "Nothing is ticked" in r.text
    assert _rows(engine) == []
    picks = get_page(client, "/talking-points").select("input.pick[checked]")
    assert picks  # the failed attempt did not save an empty choice either
    data.update(include=["trend"], days="365")
    assert client.post("/talking-points", data=data).status_code == 422
    assert _rows(engine) == []


def test_making_a_link_after_15_minutes_asks_for_the_passphrase(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    post_checkin(client, good_answers(client))
    with Session(engine) as db:
        db.exec(  # type: ignore[call-overload]
            text("UPDATE auth_session SET created_at = :t"),
            params={"t": utcnow() - timedelta(minutes=20)},
        )
        db.commit()
    soup = get_page(client, "/talking-points")
    form = soup.find("form", action="/talking-points")
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "checkin_id": hidden(form, "checkin_id"),
        "include": [str(b["value"]) for b in form.select("input.pick")],
        "days": "14",
        "action": "share",
    }
    r = client.post("/talking-points", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/reauth?next=")
    assert _rows(engine) == []  # no link until the passphrase is confirmed
    assert client.post("/api/auth/reauth", json={"password": PASSWORD}).status_code == 200
    assert _make_link(client).startswith("/shared/")


def _share_response(client: TestClient) -> Any:
    form = get_page(client, "/talking-points").find("form", action="/talking-points")
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "checkin_id": hidden(form, "checkin_id"),
        "include": [str(b["value"]) for b in form.select("input.pick")],
        "days": "14",
        "action": "share",
    }
    r = client.post("/talking-points", data=data)
    assert r.status_code == 201, r.text
    return r


def _save_name(client: TestClient, name: str, **extra: str) -> Any:
    form = get_page(client, "/settings").find("form", action="/settings/display-name")
    data = {"csrf_token": hidden(form, "csrf_token"), "display_name": name, **extra}
    return client.post("/settings/display-name", data=data, follow_redirects=False)


def test_the_link_page_offers_copy_and_share_without_cutting_the_link(
    client: TestClient, user: dict[str, Any]
) -> None:
    post_checkin(client, good_answers(client))
    r = _share_response(client)
    soup = BeautifulSoup(r.text, "html.parser")
    box = soup.find(id="f-link")
    # A wrapping, read-only box holds the whole link (an <input> would cut it off at 320 px).
    assert box.name == "textarea" and box.has_attr("readonly")
    assert soup.find("label", attrs={"for": "f-link"}) is not None
    copy = soup.find("button", attrs={"data-copy": "f-link"})
    share = soup.find("button", attrs={"data-share": "f-link"})
    # Both wait for app.js: without scripts (or without the Web Share API) they stay hidden.
    assert copy is not None and copy.has_attr("hidden") and copy.get_text() == "Copy link"
    assert share is not None and share.has_attr("hidden")
    status = soup.find(id=copy["data-copy-status"])
    assert status is not None and status["role"] == "status"
    assert copy["data-copied"].startswith("Copied") and copy["data-copy-failed"]
    # No name chosen: the page says the sheet shows none, and points to where to add one.
    words = " ".join(soup.get_text().split())
    assert "doesn't show your name or your username" in words


def test_the_shared_page_names_the_client_and_the_day_it_was_made(
    client: TestClient, user: dict[str, Any]
) -> None:
    post_checkin(client, good_answers(client))
    days = {utcnow()}
    path = shared_path(_share_response(client))
    days.add(utcnow())
    assert client.put("/api/profile", json={"display_name": "  Robin   K.  "}).status_code == 200
    with _visitor(client) as visitor:
        soup = BeautifulSoup(visitor.get(path).text, "html.parser")
    # The name is read when the page opens: set after the link was made, it still shows.
    assert soup.find("h1").get_text() == "Talking points from Robin K."
    meta = " ".join(soup.find(class_="sheet-meta").get_text().split())
    assert any(meta.startswith(f"Made {d.day} {d:%B %Y}.") for d in days), meta
    assert "From my weekly check-ins" in meta  # the check-in dates stay beside it
    # The line is part of the sheet's header, which print.css keeps on paper.
    assert soup.find(class_="sheet-made").find_parent(class_="no-print") is None
    assert user["username"] not in str(soup)

    # Cleared in Settings: every link shows a heading without a name.
    assert client.put("/api/profile", json={"display_name": ""}).json()["display_name"] is None
    with _visitor(client) as visitor:
        page = visitor.get(path).text
    assert "Robin" not in page
    assert BeautifulSoup(page, "html.parser").find("h1").get_text() == (
        "Talking points shared with you"
    )


def test_without_a_name_the_shared_page_never_shows_the_username(
    client: TestClient, user: dict[str, Any]
) -> None:
    heavy_case.seed(client)
    client.put("/api/profile", json={"goals": "Sleep better"})
    path = shared_path(_share_response(client))
    with _visitor(client) as visitor:
        r = visitor.get(path)
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("h1").get_text() == "Talking points shared with you"
    assert user["username"] not in r.text
    assert user["username"].lower() not in r.text.lower()


def test_the_name_is_escaped_on_the_shared_page(client: TestClient, user: dict[str, Any]) -> None:
    post_checkin(client, good_answers(client))
    assert _save_name(client, "<b>Sam</b> & co").status_code == 303
    path = shared_path(_share_response(client))
    with _visitor(client) as visitor:
        page = visitor.get(path).text
    assert (
        "<b>Sam</b>" not in page and "Talking points from &lt;b&gt;Sam&lt;/b&gt; &amp; co" in page
    )


def test_settings_saves_the_name_for_shared_sheets(
    client: TestClient, user: dict[str, Any]
) -> None:
    section = get_page(client, "/settings").find("section", id="links")
    form = section.find("form", action="/settings/display-name")
    field = form.find("input", attrs={"name": "display_name"})
    assert field["value"] == "" and field["maxlength"] == "60"
    assert (
        section.find("label", attrs={"for": field["id"]})
        .get_text()
        .startswith("Name on shared sheets")
    )

    r = _save_name(client, "   Robin  ")
    assert r.status_code == 303 and r.headers["location"] == "/settings?saved=name#links"
    assert client.get("/api/profile").json()["display_name"] == "Robin"
    section = get_page(client, r.headers["location"]).find("section", id="links")
    assert "show this name" in section.find(class_="notice ok").get_text()
    assert section.find("input", attrs={"name": "display_name"})["value"] == "Robin"

    # The link page says what the therapist will see.
    post_checkin(client, good_answers(client))
    assert "talking points are from Robin" in _share_response(client).text

    r = _save_name(client, "  ")
    assert r.headers["location"] == "/settings?saved=noname#links"
    assert client.get("/api/profile").json()["display_name"] is None


def test_a_name_too_long_is_an_inline_error_that_keeps_the_text(
    client: TestClient, user: dict[str, Any]
) -> None:
    assert _save_name(client, "Robin").status_code == 303
    typed = "A name that goes on and on " * 3  # 81 characters
    r = _save_name(client, typed)
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    error = soup.find(id="err-display_name")
    assert error is not None and "60 characters" in error.get_text()
    field = soup.find("input", attrs={"name": "display_name"})
    assert field["value"] == typed
    assert field["aria-invalid"] == "true"
    assert "err-display_name" in field["aria-describedby"].split()
    links = soup.find("section", id="links")
    assert "You haven't shared" in links.get_text()  # the whole page again
    fold = links.find_parent("details")
    assert fold is None or fold.has_attr("open")  # folded Settings: this part comes back open
    assert client.get("/api/profile").json()["display_name"] == "Robin"  # unchanged

    # A stale form (no CSRF token) changes nothing either, and keeps the text.
    r = client.post("/settings/display-name", data={"display_name": "Sam"})
    assert r.status_code == 403
    assert (
        BeautifulSoup(r.text, "html.parser").find("input", attrs={"name": "display_name"})["value"]
        == "Sam"
    )
    assert client.get("/api/profile").json()["display_name"] == "Robin"


# --- the snapshot a link keeps: its JSON shape, and old snapshots still open ------------

SNAPSHOT_KEYS = [
    "version",
    "first_at",
    "latest_at",
    "therapy_started_on",
    "checkin_count",
    "therapy_week",
    "urgent",
    "points",
    "own",
    "notes",
    "goals",
    "trend",
    "crisis_country",
]


def _two_checkins(client: TestClient) -> list[str]:
    """Distress 25 then 50, with notes; the second at a time with microseconds."""
    assert (
        client.put(
            "/api/profile", json={"therapy_started_on": "2026-01-01", "goals": "Sleep better"}
        ).status_code
        == 200
    )
    q = questionnaire(client)
    client_ids = []
    for when, distress, note in (
        ("2026-01-07T10:00:00Z", 2, "First note"),
        ("2026-01-14T10:30:00.250000Z", 3, "Second note"),
    ):
        answers = best_answers(q) | {"distress_week": distress}
        r = api_checkin(client, answers, taken_at=when, note=note)
        assert r.status_code == 201, r.text
        client_ids.append(r.json()["client_id"])
    return client_ids


def _stored(engine: Engine) -> list[dict[str, Any]]:
    """Each link's snapshot as stored (JSON text on SQLite, parsed on PostgreSQL)."""
    return [
        json.loads(row["sheet"]) if isinstance(row["sheet"], str) else row["sheet"]
        for row in _rows(engine)
    ]


def test_the_snapshot_keeps_its_json_shape(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    first, second = _two_checkins(client)
    _make_link(client, leave_out=("goals",))
    [stored] = _stored(engine)
    assert list(stored) == SNAPSHOT_KEYS  # no checkin_id; crisis_country always there
    assert stored["version"] == 1
    assert stored["first_at"] == "2026-01-07T10:00:00Z"
    assert stored["latest_at"] == "2026-01-14T10:30:00.250000Z"
    assert stored["therapy_started_on"] == "2026-01-01"
    assert (stored["checkin_count"], stored["therapy_week"], stored["urgent"]) == (2, 2, False)
    assert stored["crisis_country"] is None
    assert stored["goals"] is None  # left out
    assert stored["own"] == []
    for point in stored["points"]:
        assert list(point) == ["key", "sign", "level", "title", "noticed", "asks"]
        assert point["key"] == f"sign:{point['sign']}"
    assert stored["notes"] == [
        {"key": f"note:{first}", "at": "2026-01-07T10:00:00Z", "text": "First note"},
        {"key": f"note:{second}", "at": "2026-01-14T10:30:00.250000Z", "text": "Second note"},
    ]
    assert list(stored["trend"]) == ["key", "series"] and stored["trend"]["key"] == "trend"
    distress = stored["trend"]["series"][0]
    assert distress == {
        "domain": "distress",
        "name": "distress",
        "higher_is": "worse",
        "first": 25,
        "start": 25,
        "start_checkins": 1,
        "latest": 50,
        "points": [
            {"at": "2026-01-07T10:00:00Z", "value": 25},
            {"at": "2026-01-14T10:30:00.250000Z", "value": 50},
        ],
    }
    assert list(distress) == [  # and in this order
        "domain",
        "name",
        "higher_is",
        "first",
        "start",
        "start_checkins",
        "latest",
        "points",
    ]


def test_a_built_sheet_round_trips_through_its_snapshot(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    _two_checkins(client)
    state = client.app.state  # type: ignore[attr-defined]
    with Session(engine) as db:
        owner = db.exec(select(User)).one()
        sheet = talking_points.build(db, state.catalog, state.talking_points, owner)
    assert sheet is not None and sheet.checkin_id is not None
    assert sheet.first_at.utcoffset() == timedelta(0)  # aware UTC in the model
    assert sheet.latest_at == datetime(2026, 1, 14, 10, 30, 0, 250000, tzinfo=UTC)
    snapshot = sheet.snapshot()
    again = Sheet.from_snapshot(snapshot)
    assert again == sheet.model_copy(update={"checkin_id": None})  # all of it was ticked
    assert json.dumps(again.snapshot()) == json.dumps(snapshot)  # same keys, same order
    # Items read from a snapshot are included; unknown keys are left out, not refused.
    later = copy.deepcopy(snapshot)
    later["colour"] = "blue"
    later["notes"][0]["mood"] = 3
    assert Sheet.from_snapshot(later) == again
    assert all(item.included for item in again.items())


# A snapshot as links made before the start was kept stored it: no start in the trend.
OLD_SNAPSHOT: dict[str, Any] = {
    "version": 1,
    "first_at": "2026-01-07T10:00:00Z",
    "latest_at": "2026-01-14T10:30:00.250000Z",
    "therapy_started_on": None,
    "checkin_count": 2,
    "therapy_week": None,
    "urgent": False,
    "points": [
        {
            "key": "sign:not_heard",
            "sign": "not_heard",
            "level": "concern",
            "title": "I haven't felt heard",
            "noticed": "In my sessions I haven't felt really listened to.",
            "asks": ["Can we talk about how our sessions feel to me?"],
        }
    ],
    "own": [{"key": "own:0", "text": "Ask about the waiting list"}],
    "notes": [{"key": "note:abc", "at": "2026-01-14T10:30:00.250000Z", "text": "An old note"}],
    "goals": {"key": "goals", "text": "Sleep better"},
    "trend": {
        "key": "trend",
        "series": [
            {
                "domain": "distress",
                "name": "distress",
                "higher_is": "worse",
                "first": 25,
                "latest": 50,
                "points": [
                    {"at": "2026-01-07T10:00:00Z", "value": 25},
                    {"at": "2026-01-14T10:30:00.250000Z", "value": 50},
                ],
            }
        ],
    },
    "crisis_country": None,
}


def test_a_link_shared_before_the_start_was_kept_still_opens(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    post_checkin(client, good_answers(client))
    _make_link(client)
    token = "Q" * 43
    with Session(engine) as db:
        [link] = db.exec(select(ShareLink)).all()
        now = utcnow()
        db.add(
            ShareLink(
                user_id=link.user_id,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                created_at=now,
                expires_at=now + timedelta(days=1),
                sheet=copy.deepcopy(OLD_SNAPSHOT),
            )
        )
        db.commit()
    with _visitor(client) as visitor:
        r = visitor.get(f"/shared/{token}")
    assert r.status_code == 200, r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert [t.get_text() for t in soup.select(".pt-title")] == ["I haven't felt heard"]
    assert soup.find(class_="pt-own").get_text() == "Ask about the waiting list"
    assert soup.find(class_="pt-note").get_text() == "An old note"
    assert soup.find(class_="goals").get_text() == "Sleep better"
    caption = " ".join(soup.find("figcaption").get_text().split())
    assert "Distress: 25 at first, 50 now (higher is worse)." in caption
    assert "at the start" not in caption and "The start is" not in caption
    meta = " ".join(soup.find(class_="sheet-meta").get_text().split())
    assert "From my weekly check-ins, 7 Jan 2026 to 14 Jan 2026 (2 check-ins)." in meta

    # The export gives every snapshot back exactly as stored, old or new.
    exported = [link["sheet"] for link in client.get("/api/export").json()["share_links"]]
    assert sorted(json.dumps(s) for s in exported) == sorted(json.dumps(s) for s in _stored(engine))
    assert OLD_SNAPSHOT in exported


def test_revoking_by_an_id_no_row_can_have_is_the_404_page(
    client: TestClient, user: dict[str, Any], engine: Engine
) -> None:
    post_checkin(client, good_answers(client))
    _make_link(client)
    form = get_page(client, "/settings").select("li.share-link form")[0]
    token = hidden(form, "csrf_token")
    for bad_id in ("9223372036854775808", "18446744073709551616", "9" * 5000, "0", "-1", "x"):
        r = client.post(f"/settings/links/{bad_id}/revoke", data={"csrf_token": token})
        assert r.status_code == 404, (bad_id, r.text)
        assert "<html" in r.text
    assert _rows(engine)[0]["revoked_at"] is None
