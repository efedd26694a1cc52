"""Helpers for the HTML page tests: parse pages, fill forms the way a browser would."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient


def soup_of(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def get_page(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return soup_of(response)


def main_of(soup: BeautifulSoup) -> Tag:
    main = soup.find("main")
    assert isinstance(main, Tag)
    return main


def form_of(soup: BeautifulSoup, action: str) -> Tag:
    form = soup.find("form", action=action)
    assert isinstance(form, Tag), f"no form posting to {action}"
    return form


def hidden(form: Tag, name: str) -> str:
    field = form.find("input", attrs={"name": name})
    assert isinstance(field, Tag), f"no field {name}"
    return str(field["value"])


def shared_path(response: Any) -> str:
    """The path of the link on the 'Your link is ready' page (a read-only text box)."""
    box = soup_of(response).find(id="f-link")
    assert isinstance(box, Tag) and box.name == "textarea", "no link box on the page"
    url = box.get_text().strip()
    assert url.startswith("https://testserver/shared/"), url
    return url.removeprefix("https://testserver")


def csrf(soup: BeautifulSoup, action: str) -> str:
    return hidden(form_of(soup, action), "csrf_token")


def radio_groups(soup: BeautifulSoup) -> dict[str, list[Tag]]:
    """Radio inputs of the check-in form by name, in page order."""
    groups: dict[str, list[Tag]] = {}
    for radio in form_of(soup, "/checkin").find_all("input", type="radio"):
        groups.setdefault(str(radio["name"]), []).append(radio)
    return groups


def checked(soup: BeautifulSoup) -> dict[str, str]:
    return {
        name: str(r["value"])
        for name, radios in radio_groups(soup).items()
        for r in radios
        if r.has_attr("checked")
    }


def good_answers(client: TestClient) -> dict[str, int]:
    """The best answer to every item on the weekly form (safety at its minimum: no risk)."""
    items = client.get("/api/questionnaires/weekly").json()["items"]
    return {
        it["id"]: it["max"] if it["higher_is"] == "better" else it["min"]
        for it in items
        if it["stage"] == "weekly"
    }


def checkin_form(client: TestClient) -> tuple[BeautifulSoup, dict[str, str]]:
    """The check-in page and the hidden fields a browser would send with it."""
    soup = get_page(client, "/checkin")
    form = form_of(soup, "/checkin")
    return soup, {"csrf_token": hidden(form, "csrf_token"), "client_id": hidden(form, "client_id")}


def post_checkin(client: TestClient, answers: dict[str, int], note: str = "", **extra: str) -> Any:
    _soup, fields = checkin_form(client)
    data = {**fields, **{k: str(v) for k, v in answers.items()}, "note": note, **extra}
    return client.post("/checkin", data=data, follow_redirects=False)


def set_profile(client: TestClient, **values: str) -> Any:
    soup = get_page(client, "/settings")
    data = {
        "csrf_token": csrf(soup, "/settings/profile"),
        "therapy_started_on": "",
        "on_medication": "no",
        "country": "OTHER",
        **values,
    }
    return client.post("/settings/profile", data=data, follow_redirects=False)
