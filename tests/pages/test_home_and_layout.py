"""Home page, the shared layout, the offline and error pages."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.assets import static_url
from tests.pages.helpers import get_page, good_answers, main_of, post_checkin, set_profile, soup_of

PAGES_SIGNED_IN = ["/", "/checkin", "/history", "/settings", "/offline"]


def test_signed_out_home_invites_sign_up(client: TestClient) -> None:
    soup = get_page(client, "/")
    main = main_of(soup)
    assert main.find("a", href="/signup") is not None
    assert main.find("a", href="/login") is not None
    assert soup.find("nav") is None


def test_new_account_home_nudges_to_settings(client: TestClient, user: dict[str, Any]) -> None:
    main = main_of(get_page(client, "/"))
    assert main.find("a", href="/settings?open=profile#profile") is not None
    start = main.find("a", href="/checkin")
    assert start.get_text(strip=True) == "Start this week's check-in"


def test_home_shows_latest_result_trend_and_due_date(
    client: TestClient, user: dict[str, Any]
) -> None:
    set_profile(client, therapy_started_on="2026-01-05")
    good = good_answers(client)
    post_checkin(client, {**good, "distress_week": 3})
    latest = post_checkin(client, good).headers["location"]
    main = main_of(get_page(client, "/"))
    assert main.find("a", href=latest) is not None
    assert main.select("ul.signs-glance li")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in main.select("table.glance tbody tr")
    }
    assert rows["Distress"][:2] == ["50", "0"] and rows["Distress"][2].endswith("better")
    due = main.find("section", class_="due")
    assert "due on" in due.get_text()
    # Checked in today: home doesn't ask for this week's check-in again.
    assert "checked in this week" in due.get_text()
    assert due.find("a", href="/checkin").get_text(strip=True) == "Add another check-in"
    assert main.find("a", href="/settings") is None  # profile is set: no nudge


def test_home_puts_crisis_help_first_after_a_risk_answer(
    client: TestClient, user: dict[str, Any]
) -> None:
    set_profile(client, country="GB")
    post_checkin(client, {**good_answers(client), "safety_thoughts": 4})
    main = main_of(get_page(client, "/"))
    first = next(c for c in main.children if getattr(c, "name", None))
    assert "crisis" in first["class"]
    assert first.find("a", href="tel:116123") is not None


@pytest.mark.parametrize("path", PAGES_SIGNED_IN)
def test_layout_is_private_and_accessible(
    client: TestClient, user: dict[str, Any], path: str
) -> None:
    soup = get_page(client, path)
    assert soup.html["lang"] == "en"
    assert soup.find("meta", attrs={"name": "viewport"}) is not None
    assert soup.find("meta", attrs={"name": "theme-color"}) is not None
    assert soup.find("link", rel="manifest")["href"] == "/manifest.webmanifest"
    assert [link["href"] for link in soup.find_all("link", rel="stylesheet")] == [
        static_url("css/app.css")
    ]
    assert soup.title.get_text(strip=True)
    assert soup.find("a", class_="skip")["href"] == "#main"
    assert soup.find("main")["id"] == "main"
    # Scripts only as files from this site (the CSP forbids inline code).
    assert all(
        s.get("src", "").startswith("/static/js/") and not s.string for s in soup.find_all("script")
    )
    assert soup.find("style") is None
    assert soup.find(attrs={"style": True}) is None
    # Everything loads from this site only.
    for tag in soup.find_all(["link", "img", "script"]):
        assert not str(tag.get("href") or tag.get("src") or "").startswith(("http", "//"))
    levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4"])]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    for form in soup.find_all("form", method="post"):
        assert form.find("input", attrs={"name": "csrf_token", "type": "hidden"}) is not None


def test_nav_when_signed_in(client: TestClient, user: dict[str, Any]) -> None:
    nav = get_page(client, "/history").find("nav")
    assert [a["href"] for a in nav.find_all("a")] == [
        "/",
        "/checkin",
        "/history",
        "/talking-points",
        "/settings",
    ]
    assert nav.find("a", href="/history")["aria-current"] == "page"
    assert nav.find("form", action="/logout").find("button").get_text() == "Sign out"


def test_offline_page(client: TestClient) -> None:
    main = main_of(get_page(client, "/offline"))
    assert main.h1.get_text() == "You're offline"
    assert "kept on this phone" in main.get_text()


def test_unknown_page_is_an_html_404_but_api_stays_json(client: TestClient) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert main_of(soup_of(r)).find("a", href="/") is not None
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not Found"}


def test_pages_are_not_in_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith("/api/")]


def test_stylesheet_is_small(client: TestClient) -> None:
    css = client.get("/static/css/app.css")
    assert css.status_code == 200
    assert len(css.content) < 8 * 1024
    assert "@media print" in css.text


def test_home_and_the_form_know_this_weeks_checkin(
    client: TestClient, user: dict[str, Any]
) -> None:
    """Eight days ago is last week: both ask for this week's. Today's: both say it's done."""
    eight_days_ago = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    body = {"client_id": str(uuid.uuid4()), "taken_at": eight_days_ago}
    assert client.post("/api/checkins", json={**body, "answers": good_answers(client)}).is_success
    assert main_of(get_page(client, "/checkin")).find(id="done-this-week") is None
    start = main_of(get_page(client, "/")).find("section", class_="due").find("a")
    assert start.get_text(strip=True) == "Start this week's check-in"

    latest = post_checkin(client, good_answers(client)).headers["location"]
    notice = main_of(get_page(client, "/checkin")).find(id="done-this-week")
    assert notice is not None and notice.find("a", href=latest) is not None
    assert "already checked in this week" in notice.get_text()
    due = main_of(get_page(client, "/")).find("section", class_="due")
    assert "checked in this week" in due.get_text()
