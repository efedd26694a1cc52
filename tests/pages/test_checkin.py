"""The weekly check-in form, without JavaScript: one answer set, one stored check-in."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD
from tests.pages.helpers import (
    checked,
    checkin_form,
    form_of,
    get_page,
    good_answers,
    hidden,
    post_checkin,
    radio_groups,
    set_profile,
    soup_of,
)


def _count(client: TestClient) -> int:
    return len(client.get("/api/checkins").json()["items"])


def test_one_radio_group_per_applicable_item(client: TestClient, user: dict[str, Any]) -> None:
    everything = client.get("/api/questionnaires/weekly").json()["items"]
    items = [it for it in everything if it["stage"] == "weekly"]
    soup, _fields = checkin_form(client)
    groups = radio_groups(soup)
    assert list(groups) == [it["id"] for it in items]
    assert "side_effects_burden" not in groups
    for number, it in enumerate(items, start=1):
        radios = groups[it["id"]]
        if it["none_label"]:  # "No session this week": a choice that stores no answer
            assert radios[-1]["value"] == "none"
            assert radios[-1].find_parent("label").get_text(strip=True) == it["none_label"]
            radios = radios[:-1]
        values = [int(r["value"]) for r in radios]
        assert values == list(range(it["min"], it["max"] + 1))
        fieldset = soup.find("fieldset", id=f"q-{it['id']}")
        legend = fieldset.legend.get_text(" ", strip=True)
        assert legend == f"Question {number} of {len(items)} {it['text']}"
        labels = [r.find_parent("label").get_text(strip=True) for r in radios]
        assert labels == it["labels"]


def test_side_effects_item_only_for_people_on_medication(
    client: TestClient, user: dict[str, Any]
) -> None:
    assert set_profile(client, on_medication="yes").status_code == 303
    soup, _fields = checkin_form(client)
    assert "side_effects_burden" in radio_groups(soup)


def test_form_has_note_client_id_and_gentle_safety_line(
    client: TestClient, user: dict[str, Any]
) -> None:
    soup, fields = checkin_form(client)
    note = soup.find("textarea", attrs={"name": "note"})
    assert note["maxlength"] == "1000"
    assert soup.find("label", attrs={"for": "f-note"}).get_text(strip=True) == (
        "What I want to bring up next time"
    )
    assert len(fields["client_id"]) == 36
    safety = soup.find("fieldset", id="q-safety_thoughts")
    assert "gentle" in safety["class"]
    assert "right after" in safety.find(id="hint-safety_thoughts").get_text()
    _again, other = checkin_form(client)
    assert other["client_id"] != fields["client_id"]


def test_posting_the_form_stores_one_checkin_and_shows_it(
    client: TestClient, user: dict[str, Any]
) -> None:
    r = post_checkin(client, good_answers(client), note="Ask about homework")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/checkins/")
    stored = client.get("/api/checkins").json()["items"]
    assert len(stored) == 1
    assert r.headers["location"] == f"/checkins/{stored[0]['id']}"
    assert stored[0]["note"] == "Ask about homework"


def test_reposting_the_same_form_adds_nothing(client: TestClient, user: dict[str, Any]) -> None:
    _soup, fields = checkin_form(client)
    data = {**fields, **{k: str(v) for k, v in good_answers(client).items()}, "note": ""}
    first = client.post("/checkin", data=data, follow_redirects=False)
    again = client.post("/checkin", data=data, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert _count(client) == 1


def test_missing_answer_is_an_inline_error_and_keeps_everything(
    client: TestClient, user: dict[str, Any]
) -> None:
    answers = good_answers(client)
    del answers["progress_goals"]
    _soup, fields = checkin_form(client)
    data = {**fields, **{k: str(v) for k, v in answers.items()}, "note": "keep me"}
    r = client.post("/checkin", data=data)
    assert r.status_code == 422
    soup = soup_of(r)
    fieldset = soup.find("fieldset", id="q-progress_goals")
    error = fieldset.find(class_="field-error")
    assert error is not None and error["id"] == "err-progress_goals"
    assert "err-progress_goals" in fieldset["aria-describedby"].split()
    assert checked(soup) == {k: str(v) for k, v in answers.items()}
    assert soup.find("textarea", attrs={"name": "note"}).get_text() == "keep me"
    assert hidden(form_of(soup, "/checkin"), "client_id") == fields["client_id"]
    assert soup.find(class_="error-summary").find("a", href="#q-progress_goals") is not None
    assert _count(client) == 0


def test_non_integer_answer_is_an_inline_error(client: TestClient, user: dict[str, Any]) -> None:
    answers: dict[str, Any] = good_answers(client)
    answers["hope_help"] = "lots"
    r = post_checkin(client, answers)
    assert r.status_code == 422
    assert soup_of(r).find(id="err-hope_help") is not None
    assert _count(client) == 0


def test_out_of_range_answer_is_an_inline_error(client: TestClient, user: dict[str, Any]) -> None:
    answers = good_answers(client)
    answers["hope_help"] = 9
    r = post_checkin(client, answers)
    assert r.status_code == 422
    assert "not one of the answers" in soup_of(r).find(id="err-hope_help").get_text()


def test_bad_csrf_token_keeps_answers_and_stores_nothing(
    client: TestClient, user: dict[str, Any]
) -> None:
    answers = good_answers(client)
    r = post_checkin(client, answers, note="still here", csrf_token="forged")
    assert r.status_code == 403
    soup = soup_of(r)
    assert "send it again" in soup.find(class_="notice").get_text()
    assert checked(soup) == {k: str(v) for k, v in answers.items()}
    assert soup.find("textarea", attrs={"name": "note"}).get_text() == "still here"
    assert _count(client) == 0
    # The re-rendered form carries a good token: sending it again works.
    form = form_of(soup, "/checkin")
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "client_id": hidden(form, "client_id"),
        **{k: str(v) for k, v in answers.items()},
        "note": "still here",
    }
    assert client.post("/checkin", data=data, follow_redirects=False).status_code == 303
    assert _count(client) == 1


def test_same_client_id_with_other_answers_gets_a_fresh_id(
    client: TestClient, user: dict[str, Any]
) -> None:
    _soup, fields = checkin_form(client)
    answers = good_answers(client)
    data = {**fields, **{k: str(v) for k, v in answers.items()}, "note": ""}
    assert client.post("/checkin", data=data, follow_redirects=False).status_code == 303
    r = client.post("/checkin", data={**data, "hope_help": "1"}, follow_redirects=False)
    assert r.status_code == 409
    soup = soup_of(r)
    fresh = hidden(form_of(soup, "/checkin"), "client_id")
    assert fresh != fields["client_id"]
    assert checked(soup)["hope_help"] == "1"
    resend = {
        **data,
        "hope_help": "1",
        "client_id": fresh,
        "csrf_token": hidden(form_of(soup, "/checkin"), "csrf_token"),
    }
    assert client.post("/checkin", data=resend, follow_redirects=False).status_code == 303
    assert _count(client) == 2


def test_signed_out_while_answering_keeps_the_answers(
    client: TestClient, user: dict[str, Any]
) -> None:
    answers = good_answers(client)
    _soup, fields = checkin_form(client)
    client.cookies.delete("__Host-session")
    data = {**fields, **{k: str(v) for k, v in answers.items()}, "note": "don't lose me"}
    r = client.post("/checkin", data=data, follow_redirects=False)
    assert r.status_code == 401
    login = form_of(soup_of(r), "/login")
    r = client.post(
        "/login",
        data={
            "csrf_token": hidden(login, "csrf_token"),
            "next": hidden(login, "next"),
            "carry": hidden(login, "carry"),
            "username": user["username"],
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert r.status_code == 200
    soup = soup_of(r)
    assert checked(soup) == {k: str(v) for k, v in answers.items()}
    assert soup.find("textarea", attrs={"name": "note"}).get_text() == "don't lose me"
    form = form_of(soup, "/checkin")
    assert hidden(form, "client_id") == fields["client_id"]
    assert _count(client) == 0


def test_checkin_page_has_no_inline_script_or_style(
    client: TestClient, user: dict[str, Any]
) -> None:
    soup = get_page(client, "/checkin")
    scripts = soup.find_all("script")
    assert scripts and all(s.get("src", "").startswith("/static/js/") for s in scripts)
    assert all(not s.string for s in scripts)  # no inline code: CSP forbids it
    assert soup.find("style") is None
    assert soup.find(attrs={"style": True}) is None
