"""One check-in's result: crisis help first after a risk answer, signs with because, steps."""

from __future__ import annotations

from typing import Any

from bs4 import Tag
from fastapi.testclient import TestClient

from tests.conftest import signup
from tests.pages.helpers import get_page, good_answers, main_of, post_checkin, set_profile


def _result(client: TestClient, answers: dict[str, int], note: str = "") -> tuple[str, Any]:
    r = post_checkin(client, answers, note=note)
    assert r.status_code == 303
    return r.headers["location"], get_page(client, r.headers["location"])


def _first_child(main: Tag) -> Tag:
    return next(child for child in main.children if isinstance(child, Tag))


def test_risk_answer_puts_crisis_help_first(client: TestClient, user: dict[str, Any]) -> None:
    assert set_profile(client, country="GB").status_code == 303
    answers = {**good_answers(client), "safety_thoughts": 2}
    _url, soup = _result(client, answers)
    first = _first_child(main_of(soup))
    assert first.name == "section" and "crisis" in first["class"]
    assert first.find("h1") is not None
    assert first.find("a", href="tel:116123") is not None
    assert first.find("a", href="tel:999") is not None
    assert "116 123" in first.get_text()
    assert "therapist now" in first.get_text()
    assert len(first.select("ol.plan li")) >= 3
    # Not dismissible: nothing to close or collapse.
    assert first.find("button") is None and first.find("details") is None
    assert soup.find(id="step-pause") is None
    assert soup.find(id="sign-self_harm_risk") is not None


def test_text_lines_get_a_text_link_too(client: TestClient, user: dict[str, Any]) -> None:
    assert set_profile(client, country="US").status_code == 303
    _url, soup = _result(client, {**good_answers(client), "safety_thoughts": 3})
    crisis = soup.find("section", class_="crisis")
    assert crisis.find("a", href="tel:988") is not None
    assert crisis.find("a", href="sms:988") is not None


def test_no_risk_means_no_crisis_box(client: TestClient, user: dict[str, Any]) -> None:
    _url, soup = _result(client, good_answers(client))
    assert soup.find("section", class_="crisis") is None
    assert _first_child(main_of(soup)).name == "header"
    assert main_of(soup).find("h1") is not None


def test_result_shows_because_lists_steps_and_not_a_diagnosis(
    client: TestClient, user: dict[str, Any]
) -> None:
    answers = {**good_answers(client), "heard_listened": 1, "heard_respected": 1}
    _url, soup = _result(client, answers, note="Talk about feeling rushed")
    sign = soup.find(id="sign-not_heard")
    assert sign is not None and sign.find("h3").get_text(strip=True)
    reasons = [li.get_text(strip=True) for li in sign.select("ul.because li")]
    assert reasons and all(r.startswith("Because ") for r in reasons)
    steps = soup.select("article.suggestion")
    assert steps and all(s.select("ul.steps li") for s in steps)
    assert soup.find("blockquote", class_="note").get_text() == "Talk about feeling rushed"
    disclaimer = soup.find("p", class_="disclaimer").get_text()
    assert disclaimer.startswith("This is not a diagnosis")


def test_what_changed_compares_with_last_time(client: TestClient, user: dict[str, Any]) -> None:
    good = good_answers(client)
    _result(client, good)
    _url, soup = _result(client, {**good, "distress_week": 5})
    items = [li.get_text(" ", strip=True) for li in soup.select("ul.changes li")]
    distress = next(text for text in items if text.startswith("Distress"))
    assert "0 → 100" in distress and "worse" in distress and "higher is worse" in distress


def test_first_checkin_says_there_is_nothing_to_compare(
    client: TestClient, user: dict[str, Any]
) -> None:
    _url, soup = _result(client, good_answers(client))
    assert (
        "first check-in"
        in soup.find("section", attrs={"aria-labelledby": "changed-title"}).get_text()
    )


def test_another_accounts_result_is_a_404_page(client: TestClient, user: dict[str, Any]) -> None:
    url, _soup = _result(client, good_answers(client))
    client.cookies.delete("__Host-session")
    signup(client)
    r = client.get(url)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert client.get("/checkins/no-such-id").status_code == 404


def test_an_urgent_result_is_short_and_folds_the_rest(
    client: TestClient, user: dict[str, Any]
) -> None:
    """Help first; the signs and steps wait under one summary a person can open."""
    assert set_profile(client, country="GB").status_code == 303
    _url, soup = _result(client, {**good_answers(client), "safety_thoughts": 4})
    main = main_of(soup)
    first = _first_child(main)
    assert first.get("id") == "crisis"
    rest = main.find("details", id="rest")
    assert rest is not None and rest.find("details") is None
    assert "When you're ready" in rest.summary.get_text()
    assert rest.find(id="sign-self_harm_risk") is not None  # nothing is lost, only folded
    assert first.find("details") is None and rest.find(id="crisis") is None
    # Visible without opening anything: the lines, the therapist, the plan; the words say
    # how often the thoughts came.
    assert "come often" in first.get_text() and "therapist now" in first.get_text()
    assert len(first.select("ol.plan li")) >= 3


def test_the_menu_marks_no_item_on_a_result(client: TestClient, user: dict[str, Any]) -> None:
    _url, soup = _result(client, good_answers(client))
    assert soup.find("nav").find(attrs={"aria-current": "page"}) is None
