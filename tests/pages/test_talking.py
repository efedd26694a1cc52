"""The talking-points page: what the sheet holds, choosing points, and the print set-up."""

from __future__ import annotations

from typing import Any

import yaml
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from app.assets import static_url
from app.settings import ROOT
from tests import heavy_case
from tests.pages.helpers import get_page, good_answers, hidden, main_of, post_checkin, soup_of

WORDING = yaml.safe_load((ROOT / "questionnaires" / "talking_points.yaml").read_text())[
    "talking_points"
]


def _sheet(soup: BeautifulSoup) -> Tag:
    sheet = soup.find("article", id="sheet")
    assert isinstance(sheet, Tag)
    return sheet


def _picks(soup: BeautifulSoup) -> dict[str, bool]:
    return {
        str(box["value"]): box.has_attr("checked")
        for box in soup.select("form[action='/talking-points'] input.pick")
    }


def _save(client: TestClient, soup: BeautifulSoup, include: list[str], **extra: Any) -> Any:
    form = soup.find("form", action="/talking-points")
    data: dict[str, Any] = {
        "csrf_token": hidden(form, "csrf_token"),
        "checkin_id": hidden(form, "checkin_id"),
        "include": include,
        "action": "save",
        **extra,
    }
    return client.post("/talking-points", data=data, follow_redirects=False)


def test_without_checkins_the_page_points_to_the_first_one(
    client: TestClient, user: dict[str, Any]
) -> None:
    soup = get_page(client, "/talking-points")
    assert soup.find("article", id="sheet") is None
    assert main_of(soup).find("a", href="/checkin") is not None
    nav = soup.find("nav").find("a", href="/talking-points")
    assert nav["aria-current"] == "page" and nav.get_text() == "Talking points"


def test_the_heavy_sheet_holds_every_part(client: TestClient, user: dict[str, Any]) -> None:
    results = heavy_case.seed(client)
    soup = get_page(client, "/talking-points")
    sheet = _sheet(soup)
    titles = [t.get_text(strip=True) for t in sheet.select("#part-signs ~ ul .pt-title")]
    assert len(titles) == len(heavy_case.NEGATIVE_SIGNS)
    assert set(titles) == {WORDING[s]["title"] for s in heavy_case.NEGATIVE_SIGNS}
    # Safety first: the risk point leads, and the crisis line sits above every point.
    assert titles[0] == WORDING["self_harm_risk"]["title"]
    crisis = sheet.find(class_="sheet-crisis")
    assert "116 123" in crisis.get_text() and crisis.find_next("section") is not None
    assert main_of(soup).find("section", id="crisis") is not None  # the full help, on screen
    for point in sheet.select("li.pt[id^=pt-]"):
        assert "What I noticed:" in point.get_text()
        sign = str(point["id"]).removeprefix("pt-")
        asks = [li.get_text(strip=True) for li in point.select(".asks li")]
        assert 1 <= len(asks) <= 2
        assert set(asks) <= set(WORDING[sign]["ask"].values())
    # Another therapist is asked about only because the rules suggested it this time.
    suggested = {s["id"] for s in results[-1]["suggestions"]}
    assert "change_therapist" in suggested
    notes = [n.get_text() for n in sheet.select(".pt-note")]
    assert notes == [heavy_case.long_note(n) for n in (1, 2, 3)]
    assert heavy_case.profile()["goals"] in sheet.find(class_="goals").get_text()
    svg = sheet.find("svg", class_="trend")
    assert svg["role"] == "img" and svg.find("title") is not None
    assert len(svg.select("polyline")) == 2
    assert "Distress" in sheet.find("figcaption").get_text()
    meta = " ".join(sheet.find(class_="sheet-meta").get_text().split())
    week = results[-1]["therapy_week"]
    assert f"to {heavy_case.short_today()} (20 check-ins, week {week} of therapy)" in meta
    assert "not a diagnosis" in sheet.find(class_="sheet-foot").get_text()
    assert (
        all(_picks(soup).values()) and len(_picks(soup)) == len(heavy_case.NEGATIVE_SIGNS) + 3 + 2
    )


def test_every_checkbox_has_a_label(client: TestClient, user: dict[str, Any]) -> None:
    heavy_case.seed(client)
    soup = get_page(client, "/talking-points")
    for box in soup.select("input.pick"):
        assert soup.find("label", attrs={"for": box["id"]}) is not None, box
    for field in soup.select("input[name=own_new]"):
        assert soup.find("label", attrs={"for": field["id"]}) is not None


def test_print_setup_needs_no_inline_script(client: TestClient, user: dict[str, Any]) -> None:
    post_checkin(client, good_answers(client), note="Ask about homework.")
    soup = get_page(client, "/talking-points")
    assert soup.find("link", href=static_url("css/print.css"))["media"] == "print"
    assert soup.find("script", src=static_url("js/print.js")) is not None
    assert all(s.get("src") for s in soup.find_all("script"))
    assert not soup.select("[style]") and not soup.find_all("style")
    button = soup.find("button", attrs={"data-print": True})
    assert button.has_attr("hidden") and button["type"] == "button"
    assert "Print menu" in main_of(soup).get_text()
    css = (ROOT / "app" / "static" / "css" / "print.css").read_text()
    page_rule = css[css.index("@page") : css.index("}", css.index("@page"))]
    assert "margin: 12mm" in page_rule and "size" not in page_rule  # A4 and Letter alike
    assert client.get("/static/js/print.js").status_code == 200


def test_on_track_sheet_has_a_keep_going_point(client: TestClient, user: dict[str, Any]) -> None:
    post_checkin(client, good_answers(client))
    soup = get_page(client, "/talking-points")
    assert [t.get_text() for t in soup.select(".pt-title")] == [WORDING["on_track"]["title"]]
    assert soup.find(class_="sheet-crisis") is None


def test_the_choice_is_kept_for_that_sheet(client: TestClient, user: dict[str, Any]) -> None:
    heavy_case.seed(client)
    soup = get_page(client, "/talking-points")
    keys = list(_picks(soup))
    keep = [k for k in keys if k not in ("sign:dependency", "goals")]
    r = _save(client, soup, keep, own_new=["Ask about the waiting list", "", "  "])
    assert r.status_code == 303
    soup = get_page(client, r.headers["location"])
    picks = _picks(soup)
    assert picks["sign:dependency"] is False and picks["goals"] is False
    assert picks["sign:not_heard"] is True and picks["own:0"] is True
    assert [o.get_text() for o in soup.select(".pt-own")] == ["Ask about the waiting list"]
    assert soup.find(class_="notice ok") is not None
    # Unticking one's own point removes it.
    r = _save(client, soup, [k for k in _picks(soup) if k != "own:0"])
    assert r.status_code == 303
    assert get_page(client, "/talking-points").select(".pt-own") == []


def test_a_new_checkin_starts_a_fresh_selection(client: TestClient, user: dict[str, Any]) -> None:
    post_checkin(client, good_answers(client), note="First note")
    soup = get_page(client, "/talking-points")
    assert _save(client, soup, [], own_new=["Mine"]).status_code == 303
    picks = _picks(get_page(client, "/talking-points"))
    assert picks.pop("own:0") is True and not any(picks.values())
    post_checkin(client, good_answers(client), note="Second note")
    picks = _picks(get_page(client, "/talking-points"))
    assert picks and all(picks.values()) and "own:0" not in picks


def test_saving_checks_csrf_staleness_and_length(client: TestClient, user: dict[str, Any]) -> None:
    post_checkin(client, good_answers(client))
    soup = get_page(client, "/talking-points")
    assert _save(client, soup, [], csrf_token="forged").status_code == 403
    assert _save(client, soup, [], checkin_id="something-else").status_code == 409
    r = _save(client, soup, [], own_new=["x" * 201])
    assert r.status_code == 422
    assert soup_of(r).find(id="err-own") is not None
    r = _save(client, soup, [], own_new=["one", "two", "three"])
    soup = get_page(client, "/talking-points")
    r = _save(client, soup, list(_picks(soup)), own_new=["four", "five", "six"])
    assert r.status_code == 422  # five at most
    assert len(get_page(client, "/talking-points").select(".pt-own")) == 3


def test_goals_are_part_of_the_profile(client: TestClient, user: dict[str, Any]) -> None:
    r = client.put("/api/profile", json={"goals": "  Sleep   better. "})
    assert r.status_code == 200 and r.json()["goals"] == "Sleep better."
    assert client.put("/api/profile", json={"goals": "x" * 501}).status_code == 422
    assert client.put("/api/profile", json={"goals": None}).json()["goals"] is None
    soup = get_page(client, "/settings")
    goals = soup.find("textarea", attrs={"name": "goals"})
    assert soup.find("label", attrs={"for": goals["id"]}) is not None
    form = soup.find("form", action="/settings/profile")
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "therapy_started_on": "",
        "on_medication": "no",
        "country": "OTHER",
        "goals": "Feel calmer at work",
    }
    assert client.post("/settings/profile", data=data, follow_redirects=False).status_code == 303
    assert client.get("/api/profile").json()["goals"] == "Feel calmer at work"
