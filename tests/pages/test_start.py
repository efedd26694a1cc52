"""Home, the history, the talking-points sheet and the result page show one start."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import best_answers, post_checkin, questionnaire
from tests.pages.helpers import get_page, main_of, set_profile


def _seed(client: TestClient) -> str:
    """Distress 25 (before therapy started), 50, then 100: the start is 37, not 25 or 50."""
    set_profile(client, therapy_started_on="2026-01-01")
    q = questionnaire(client)
    latest = ""
    for when, distress in (("2025-12-20", 2), ("2026-01-07", 3), ("2026-01-14", 5)):
        answers = best_answers(q) | {"distress_week": distress}
        response = post_checkin(client, answers, taken_at=f"{when}T10:00:00Z")
        assert response.status_code == 201, response.text
        latest = response.json()["id"]
    return latest


def _words(tag: Any) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def test_every_page_shows_the_engines_start(client: TestClient, user: dict[str, Any]) -> None:
    latest = _seed(client)
    start = client.get("/api/summary").json()["domains"]["distress"]["start"]
    # 25 and 50 are wellness 75 and 50: 62.5, rounded up to 63, is a distress of 37.
    assert start == 37

    # The result page: "… when you started (37 then, 100 now …)".
    result = _words(main_of(get_page(client, f"/checkins/{latest}")))
    said = re.search(r"when you started \((\d+) then, (\d+) now", result)
    assert said is not None, result
    assert int(said.group(1)) == start and said.group(2) == "100"

    home = main_of(get_page(client, "/"))
    table = home.find("table", class_="glance")
    assert [th.get_text(strip=True) for th in table.thead.find_all("th")][1] == "Start"
    row = next(tr for tr in table.tbody.find_all("tr") if tr.th.get_text(strip=True) == "Distress")
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[:2] == [str(start), "100"] and cells[2].endswith("worse")
    assert "Start is the average of your first two check-ins." in _words(home)

    history = _words(get_page(client, "/history").find(id="desc-distress"))
    assert f"Start {start}, now 100: worse." in history
    assert "Start is the average of your first two check-ins." in history

    caption = _words(get_page(client, "/talking-points").find("figcaption"))
    assert f"Distress: {start} at the start, 100 now" in caption
    assert "The start is the average of my first two check-ins." in caption


def test_with_two_checkins_the_start_is_the_first(client: TestClient, user: dict[str, Any]) -> None:
    q = questionnaire(client)
    for when, distress in (("2026-01-07", 3), ("2026-01-14", 1)):
        post_checkin(
            client, best_answers(q) | {"distress_week": distress}, taken_at=f"{when}T10:00:00Z"
        )
    home = main_of(get_page(client, "/"))
    row = next(
        tr
        for tr in home.select("table.glance tbody tr")
        if tr.th.get_text(strip=True) == "Distress"
    )
    assert [td.get_text(" ", strip=True) for td in row.find_all("td")][:2] == ["50", "0"]
    assert "Start is your first check-in." in _words(home)
