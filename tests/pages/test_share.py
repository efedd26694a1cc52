"""Read-only links for the therapist: making, opening, expiry, revoking, rate limits."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.database import get_engine
from app.models import utcnow
from app.services import sharing
from tests import heavy_case
from tests.conftest import PASSWORD
from tests.pages.helpers import get_page, good_answers, hidden, post_checkin, soup_of


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
    url = str(soup_of(r).find("input", id="f-link")["value"])
    assert url.startswith("https://testserver/shared/")
    return url.removeprefix("https://testserver")


def _visitor(client: TestClient) -> TestClient:
    """A fresh browser: no session, no cookies."""
    return TestClient(client.app, base_url="https://testserver")


def _rows() -> list[Any]:
    with Session(get_engine()) as db:
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
    client: TestClient, user: dict[str, Any]
) -> None:
    post_checkin(client, good_answers(client))
    paths = {_make_link(client) for _ in range(2)}
    assert len(paths) == 2
    for path in paths:
        token = path.removeprefix("/shared/")
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 bytes = 256 bits
        rows = [r for r in _rows() if r["token_hash"] == hashlib.sha256(token.encode()).hexdigest()]
        assert len(rows) == 1
        assert token not in str(_rows())
    row = _rows()[0]
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
    client: TestClient, user: dict[str, Any]
) -> None:
    post_checkin(client, good_answers(client))
    revoked, expired = _make_link(client), _make_link(client)
    soup = get_page(client, "/settings")
    form = soup.select("li.share-link form")[-1]  # newest first: the last is the oldest
    r = client.post(str(form["action"]), data={"csrf_token": hidden(form, "csrf_token")})
    assert r.status_code == 200 and "Link revoked" in r.text
    with Session(get_engine()) as db:
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


def test_revoking_someone_elses_link_is_not_found(client: TestClient, user: dict[str, Any]) -> None:
    post_checkin(client, good_answers(client))
    _make_link(client)
    link_id = _rows()[0]["id"]
    with _visitor(client) as other:
        other.post("/api/auth/signup", json={"username": "otherone", "password": PASSWORD})
        token = BeautifulSoup(other.get("/settings").text, "html.parser")
        csrf = hidden(token.find("form", action="/settings/profile"), "csrf_token")
        r = other.post(f"/settings/links/{link_id}/revoke", data={"csrf_token": csrf})
        assert r.status_code == 404
        assert other.post(f"/settings/links/{link_id}/revoke", data={}).status_code == 403
    assert _rows()[0]["revoked_at"] is None


def test_opening_links_is_rate_limited(
    client: TestClient, user: dict[str, Any], monkeypatch: pytest.MonkeyPatch
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
    assert _rows()[0]["open_count"] == 2


def test_nothing_ticked_makes_no_link(client: TestClient, user: dict[str, Any]) -> None:
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
    assert _rows() == []
    picks = get_page(client, "/talking-points").select("input.pick[checked]")
    assert picks  # the failed attempt did not save an empty choice either
    data.update(include=["trend"], days="365")
    assert client.post("/talking-points", data=data).status_code == 422
    assert _rows() == []


def test_making_a_link_after_15_minutes_asks_for_the_passphrase(
    client: TestClient, user: dict[str, Any]
) -> None:
    post_checkin(client, good_answers(client))
    with Session(get_engine()) as db:
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
    assert _rows() == []  # no link until the passphrase is confirmed
    assert client.post("/api/auth/reauth", json={"password": PASSWORD}).status_code == 200
    assert _make_link(client).startswith("/shared/")
