"""Trends per domain: one SVG chart each, the same data as a table, and every check-in."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.pages.helpers import get_page, good_answers, main_of, post_checkin


def test_empty_history_invites_a_first_checkin(client: TestClient, user: dict[str, Any]) -> None:
    main = main_of(get_page(client, "/history"))
    assert main.find("svg") is None and main.find("table") is None
    assert main.find("a", href="/checkin") is not None


def test_history_has_a_chart_per_domain_and_a_table(
    client: TestClient, user: dict[str, Any]
) -> None:
    good = good_answers(client)
    ids = []
    for distress in (1, 3, 5):
        r = post_checkin(client, {**good, "distress_week": distress})
        ids.append(r.headers["location"].removeprefix("/checkins/"))
    domains = set(client.get("/api/summary").json()["domains"]) - {"life_events"}
    soup = get_page(client, "/history")
    charts = soup.select("figure.chart")
    assert {fig["id"].removeprefix("chart-") for fig in charts} == domains
    for fig in charts:
        svg = fig.find("svg")
        assert svg["role"] == "img" and svg["aria-label"]
        assert svg.find("title").get_text(strip=True)
        assert len(svg.find_all("circle")) == 3
        assert svg.find("polyline") is not None
        described = soup.find(id=svg["aria-describedby"])
        assert described is not None and "3 check-ins" in described.get_text()
    assert soup.select("svg rect.band.good") and soup.select("svg rect.band.concern")
    table = soup.find("table", class_="data")
    headers = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    assert headers[:2] == ["Date", "Therapy week"]
    rows = table.tbody.find_all("tr")
    assert len(rows) == 3
    distress_col = next(i for i, h in enumerate(headers) if h.startswith("Distress"))
    values = [row.find_all(["th", "td"])[distress_col].get_text() for row in rows]
    assert values == ["0", "50", "100"]  # distress_week alone (sessions are their own domain)
    links = {a["href"] for a in soup.select("ul.past a")}
    assert links == {f"/checkins/{i}" for i in ids}


def test_history_before_cursor_pages_back(client: TestClient, user: dict[str, Any]) -> None:
    r = client.get("/history?before=not-a-cursor")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
