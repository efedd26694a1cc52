"""The safety plan page, and the plan beside crisis help on an urgent result."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.pages.helpers import csrf, get_page, good_answers, main_of, post_checkin, set_profile


def _save(client: TestClient, **fields: str) -> Any:
    soup = get_page(client, "/safety-plan")
    data = {"csrf_token": csrf(soup, "/safety-plan"), **fields}
    return client.post("/safety-plan", data=data, follow_redirects=False)


def test_make_a_plan_in_my_own_words(client: TestClient, user: dict[str, Any]) -> None:
    soup = get_page(client, "/safety-plan")
    assert soup.h1.get_text() == "My safety plan"
    assert soup.find(id="my-plan") is None  # nothing to show yet, only the form
    r = _save(
        client,
        warning_signs="Not sleeping\n\nStaying in bed",
        reasons="My niece",
        professionals_0_name="My therapist",
        professionals_0_phone="020 7946 0000",
        people_0_name="Sam",
        people_0_phone="+44 7700 900123",
    )
    assert r.status_code == 303
    page = get_page(client, r.headers["location"])
    plan = main_of(page).find(id="my-plan")
    assert [li.get_text() for li in plan.find_all("ul")[0].find_all("li")] == [
        "Not sleeping",
        "Staying in bed",
    ]
    assert plan.find("a", href="tel:+447700900123") is not None
    assert "+44 7700 900123" in plan.get_text()  # the number itself, for paper too
    assert "Saved" in main_of(page).get_text()
    assert page.find("button", attrs={"data-print": True}) is not None
    # Settings points to it.
    assert get_page(client, "/settings").find("a", href="/safety-plan") is not None


def test_a_bad_number_keeps_everything_typed(client: TestClient, user: dict[str, Any]) -> None:
    r = _save(client, coping="A long walk", people_0_name="Sam", people_0_phone="not a number")
    assert r.status_code == 422
    assert "phone number" in r.text and "A long walk" in r.text and 'value="not a number"' in r.text
    assert client.get("/api/safety-plan").json()["coping"] == []


def test_an_urgent_result_shows_the_plan_and_calls_the_therapist(
    client: TestClient, user: dict[str, Any]
) -> None:
    assert set_profile(client, country="GB").status_code == 303
    r = post_checkin(client, {**good_answers(client), "safety_thoughts": 2})
    location = r.headers["location"]
    main = main_of(get_page(client, location))
    offer = main.find(id="plan-offer")
    assert offer is not None and offer.find("a", href="/safety-plan") is not None  # gently
    plan = {
        "coping": ["Cold water on my face"],
        "professionals": [{"name": "Dr Lee", "phone": "020 7946 0000"}],
    }
    assert client.put("/api/safety-plan", json=plan).status_code == 200
    main = main_of(get_page(client, location))
    crisis = main.find(id="crisis")
    assert crisis.find("a", href="tel:02079460000") is not None  # contact your therapist now
    own = main.find(id="my-plan")
    assert own is not None and "Cold water on my face" in own.get_text()
    assert main.find(id="rest").find(id="my-plan") is None  # not folded away
    # The cached check-in form carries the plan for a risk answer given offline.
    template = get_page(client, "/checkin").find("template", id="offline-crisis")
    assert "Cold water on my face" in template.decode_contents()
