"""Export and import: the same history and results in a new account, and nothing twice."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests import heavy_case
from tests.conftest import signup
from tests.helpers import best_answers, post_checkin, questionnaire, risk_answers
from tests.pages.helpers import get_page, hidden

PROFILE_KEYS = ("therapy_started_on", "on_medication", "country", "goals")
ASKED = ("country", "on_medication", "therapy_started_on", "goals")  # the order they're listed


def _without_ids(export: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.items() if k != "id"} for c in export["checkins"]]


def _choose(client: TestClient, leave_out: list[str], own: list[str]) -> None:
    soup = get_page(client, "/talking-points")
    form = soup.find("form", action="/talking-points")
    keys = [str(b["value"]) for b in form.select("input.pick")]
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "checkin_id": hidden(form, "checkin_id"),
        "include": [k for k in keys if k not in leave_out],
        "own_new": own,
        "action": "share",
        "days": "14",
    }
    assert client.post("/talking-points", data=data).status_code == 201


def test_export_holds_everything_the_account_owns(client: TestClient, user: dict[str, Any]) -> None:
    heavy_case.seed(client)
    _choose(client, ["goals"], ["Ask about the waiting list"])
    data = client.get("/api/export").json()
    assert data["format"] == "therapy-checkin-export" and data["format_version"] == 1
    assert data["profile"]["goals"] == heavy_case.profile()["goals"]
    assert len(data["checkins"]) == heavy_case.WEEKS
    assert data["checkins"][-1]["note"] == heavy_case.long_note(3)
    choice = data["talking_points"]
    assert choice["checkin_client_id"] == data["checkins"][-1]["client_id"]
    assert choice["excluded"] == ["goals"] and choice["own"] == ["Ask about the waiting list"]
    [link] = data["share_links"]
    assert link["open_count"] == 0 and link["expires_at"] and link["revoked_at"] is None
    assert "token_hash" not in str(data) and "shared/" not in str(data)
    assert link["sheet"]["goals"] is None and link["sheet"]["own"][0]["text"].startswith("Ask")


def test_round_trip_rebuilds_the_same_history_and_results(client: TestClient) -> None:
    signup(client, "roundtrip")
    heavy_case.seed(client)
    _choose(client, ["sign:dependency"], ["Bring the sleep diary"])
    before = client.get("/api/export").json()
    summary_before = client.get("/api/summary").json()
    assert client.delete("/api/account").status_code == 204

    signup(client, "roundtrip")  # the same name is free again
    r = client.post("/api/import", params={"apply": ASKED}, json=before)
    assert r.status_code == 200, r.text
    outcome = r.json()
    changes = outcome.pop("profile_changes")
    assert [(c["field"], c["applied"]) for c in changes] == [(k, True) for k in ASKED]
    assert outcome == {
        "imported": heavy_case.WEEKS,
        "already_present": 0,
        "conflicts": [],
        "profile_applied": list(ASKED),
        "talking_points_restored": True,
        "safety_plan_restored": False,
    }
    after = client.get("/api/export").json()
    assert _without_ids(after) == _without_ids(before)
    assert {k: after["profile"][k] for k in PROFILE_KEYS} == {
        k: before["profile"][k] for k in PROFILE_KEYS
    }
    assert after["talking_points"]["excluded"] == before["talking_points"]["excluded"]
    assert after["talking_points"]["own"] == ["Bring the sleep diary"]
    assert after["share_links"] == []  # tokens never leave, so links can't come back

    summary_after = client.get("/api/summary").json()
    for key in ("domains", "latest"):
        summary_before[key], summary_after[key] = (
            _drop_ids(summary_before[key]),
            _drop_ids(summary_after[key]),
        )
    assert summary_after == summary_before

    # A second import adds nothing and changes nothing.
    r = client.post("/api/import", json=before)
    assert r.json()["imported"] == 0 and r.json()["already_present"] == heavy_case.WEEKS
    assert _without_ids(client.get("/api/export").json()) == _without_ids(before)
    page = client.get("/api/checkins", params={"limit": 100}).json()
    assert len(page["items"]) == heavy_case.WEEKS


def _drop_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_ids(v) for k, v in value.items() if k not in ("id", "checkin_id")}
    if isinstance(value, list):
        return [_drop_ids(v) for v in value]
    return value


def test_clashing_client_id_is_reported_not_overwritten(
    client: TestClient, user: dict[str, Any]
) -> None:
    q = questionnaire(client)
    post_checkin(client, best_answers(q), taken_at="2026-05-01T08:00:00Z", note="mine")
    doc = client.get("/api/export").json()
    theirs = copy.deepcopy(doc)
    theirs["checkins"][0]["note"] = "edited elsewhere"
    fresh = copy.deepcopy(doc["checkins"][0])
    fresh["client_id"] = str(uuid.uuid4())
    fresh["taken_at"] = "2026-05-08T08:00:00Z"
    theirs["checkins"].append(fresh)
    r = client.post("/api/import", json=theirs)
    assert r.status_code == 200
    body = r.json()
    assert body["imported"] == 1 and body["already_present"] == 0
    assert [c["client_id"] for c in body["conflicts"]] == [doc["checkins"][0]["client_id"]]
    notes = [c["note"] for c in client.get("/api/export").json()["checkins"]]
    assert notes == ["mine", "mine"]


def _bad(client: TestClient, doc: Any, expect: str) -> None:
    before = client.get("/api/export").json()
    r = client.post("/api/import", json=doc)
    assert r.status_code == 422, r.text
    assert expect in str(r.json()["detail"]), r.json()
    after = client.get("/api/export").json()
    assert _without_ids(after) == _without_ids(before)  # nothing half-stored
    assert after["profile"] == before["profile"]


def test_bad_files_are_refused_with_a_clear_reason(
    client: TestClient, user: dict[str, Any]
) -> None:
    q = questionnaire(client)
    post_checkin(client, best_answers(q), taken_at="2026-05-01T08:00:00Z")
    post_checkin(client, risk_answers(q), taken_at="2026-05-08T08:00:00Z")
    good = client.get("/api/export").json()
    client.delete("/api/account")
    signup(client)

    def edited(change: Any) -> dict[str, Any]:
        doc = copy.deepcopy(good)
        doc["profile"]["country"] = "IE"
        doc["checkins"].append(
            {**copy.deepcopy(good["checkins"][0]), "client_id": str(uuid.uuid4())}
        )
        change(doc)
        return doc

    _bad(client, {"hello": "world"}, "not a Therapy Check-in export")
    _bad(client, {**good, "format_version": 2}, "format_version 2")
    _bad(client, [1, 2], "not a Therapy Check-in export")

    def future(doc: dict[str, Any]) -> None:
        doc["checkins"][-1]["taken_at"] = "2999-01-01T00:00:00Z"

    def unknown_item(doc: dict[str, Any]) -> None:
        doc["checkins"][-1]["answers"]["made_up"] = 3

    def out_of_range(doc: dict[str, Any]) -> None:
        doc["checkins"][-1]["answers"]["heard_listened"] = 9

    def hidden_risk(doc: dict[str, Any]) -> None:  # a risk answer with its crisis help cut out
        risky, calm = doc["checkins"][1], good["checkins"][0]
        risky.update(signs=calm["signs"], suggestions=calm["suggestions"], urgent=False)

    def twice(doc: dict[str, Any]) -> None:
        doc["checkins"].append(copy.deepcopy(doc["checkins"][-1]))

    def bool_answer(doc: dict[str, Any]) -> None:
        doc["checkins"][-1]["answers"]["heard_listened"] = True

    _bad(client, edited(future), "in the future")
    _bad(client, edited(unknown_item), 'no question "made_up"')
    _bad(client, edited(out_of_range), "outside 1-5")
    _bad(client, edited(hidden_risk), "risk answer without crisis help")
    _bad(client, edited(twice), "appears twice")
    _bad(client, edited(bool_answer), "int")
    assert client.get("/api/profile").json()["country"] != "IE"

    # Extra keys where the format may grow are fine; the good file still imports.
    grown = {**copy.deepcopy(good), "reminders": {"weekday": 1}}
    grown["profile"]["timezone"] = "Europe/Dublin"
    r = client.post("/api/import", json=grown)
    assert r.status_code == 200 and r.json()["imported"] == 2
    assert client.get("/api/checkins").json()["items"][0]["urgent"] is True


def test_import_needs_json_and_a_session(client: TestClient) -> None:
    r = client.post("/api/import", content=b"x", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    assert client.post("/api/import", json={"format": "therapy-checkin-export"}).status_code == 401


def test_import_never_changes_the_profile_unasked(client: TestClient, user: dict[str, Any]) -> None:
    mine = {"therapy_started_on": "2026-01-05", "on_medication": False, "country": "GB"}
    assert client.put("/api/profile", json={**mine, "goals": "Sleep"}).status_code == 200
    q = questionnaire(client)
    post_checkin(client, best_answers(q), taken_at="2026-05-01T08:00:00Z")
    doc = client.get("/api/export").json()
    doc["profile"] = {"therapy_started_on": None, "on_medication": True, "country": "US"}
    doc["checkins"][0]["client_id"] = str(uuid.uuid4())  # one more check-in to merge

    r = client.post("/api/import", json=doc)
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 1 and r.json()["profile_applied"] == []
    # The file holds no goals, so it asks to change none; the rest differs and is listed.
    assert r.json()["profile_changes"] == [
        {"field": "country", "current": "GB", "in_file": "US", "applied": False},
        {"field": "on_medication", "current": False, "in_file": True, "applied": False},
        {
            "field": "therapy_started_on",
            "current": "2026-01-05",
            "in_file": None,
            "applied": False,
        },
    ]
    assert client.get("/api/profile").json() == {
        **client.get("/api/profile").json(),
        **mine,
        "goals": "Sleep",
    }

    r = client.post("/api/import", params={"apply": ["country"]}, json=doc)
    assert r.json()["imported"] == 0 and r.json()["profile_applied"] == ["country"]
    profile = client.get("/api/profile").json()
    assert profile["country"] == "US" and profile["on_medication"] is False
    assert profile["therapy_started_on"] == "2026-01-05" and profile["goals"] == "Sleep"
    assert client.post("/api/import", params={"apply": ["colour"]}, json=doc).status_code == 422


def test_hostile_files_are_refused_with_the_live_limits(
    client: TestClient, user: dict[str, Any]
) -> None:
    """An import holds to the limits of the live API: sane times, bounded texts and lists,
    a strict format_version, a known country. One bad value and nothing is stored."""
    q = questionnaire(client)
    post_checkin(client, risk_answers(q), taken_at="2026-05-08T08:00:00Z")
    good = client.get("/api/export").json()
    client.delete("/api/account")
    signup(client)

    def edited(change: Any) -> dict[str, Any]:
        doc = copy.deepcopy(good)
        doc["checkins"][0]["client_id"] = str(uuid.uuid4())
        change(doc, doc["checkins"][0])
        return doc

    for version in (True, 1.0, "1"):
        _bad(client, {**good, "format_version": version}, "format_version")

    cases: list[tuple[str, Any, str]] = [
        ("year 1", lambda d, c: c.update(taken_at="0001-01-01T00:00:00Z"), "2000-01-01"),
        ("year 1 +23:59", lambda d, c: c.update(taken_at="0001-01-01T00:00:00+23:59"), "range"),
        ("9999 -23:59", lambda d, c: c.update(taken_at="9999-12-31T23:59:59-23:59"), "range"),
        ("1999", lambda d, c: c.update(taken_at="1999-12-31T23:59:59"), "2000-01-01"),
        ("9999 naive", lambda d, c: c.update(taken_at="9999-12-31T23:59:59"), "in the future"),
        ("title", lambda d, c: c["signs"][0].update(title="t" * 1_000_000), "at most 300"),
        ("because", lambda d, c: c["signs"][0].update(because=["b"] * 31), "at most 30"),
        ("because line", lambda d, c: c["signs"][0].update(because=["b" * 2001]), "at most"),
        ("why", lambda d, c: c["suggestions"][0].update(why="w" * 2001), "at most 2000"),
        ("steps", lambda d, c: c["suggestions"][0].update(steps=["s"] * 100_000), "at most 30"),
        ("step", lambda d, c: c["suggestions"][0].update(steps=["s" * 2001]), "at most 2000"),
        ("note", lambda d, c: c.update(note="n" * 1001), "at most 1000"),
        ("answers", lambda d, c: c["answers"].update({f"x{i}": 1 for i in range(100)}), "100"),
        ("answer key", lambda d, c: c["answers"].update({"k" * 65: 1}), "at most 64"),
        ("own", lambda d, c: d.update(talking_points=_choice(c, own=["o" * 1001])), "1000"),
        ("excluded", lambda d, c: d.update(talking_points=_choice(c, ex=["e"] * 201)), "200"),
        ("country", lambda d, c: d["profile"].update(country="ZZ"), '"ZZ" is not a country code'),
    ]
    for name, change, expect in cases:
        doc = edited(change)
        _bad(client, doc, expect)
        r = client.post("/api/import", params={"apply": ["country"]}, json=doc)
        assert r.status_code == 422, name
    assert client.get("/api/profile").json()["country"] == "OTHER"
    assert client.get("/api/checkins").json()["items"] == []

    # The same file without the hostile value imports (the limits leave real files alone).
    r = client.post("/api/import", json=edited(lambda d, c: None))
    assert r.status_code == 200 and r.json()["imported"] == 1, r.text


def _choice(
    entry: dict[str, Any], own: list[str] | None = None, ex: list[str] | None = None
) -> dict[str, Any]:
    return {"checkin_client_id": entry["client_id"], "own": own or [], "excluded": ex or []}


def test_an_import_may_hold_ten_years_of_weeks_and_no_more_than_its_limit() -> None:
    from pydantic import ValidationError

    from app.schemas import ImportDoc
    from app.schemas.imports import MAX_IMPORTED_CHECKINS

    assert MAX_IMPORTED_CHECKINS >= 10 * 53
    entry = {
        "client_id": str(uuid.uuid4()),
        "taken_at": "2026-01-05T09:00:00Z",
        "questionnaire_id": "weekly",
        "questionnaire_version": "1",
        "answers": {"heard_listened": 5},
        "scores": {},
        "signs": [{"id": "on_track", "level": "info", "title": "t", "because": []}],
        "suggestions": [],
        "urgent": False,
    }
    doc = {"format": "therapy-checkin-export", "format_version": 1}
    ImportDoc.model_validate({**doc, "checkins": [entry] * MAX_IMPORTED_CHECKINS})
    try:
        ImportDoc.model_validate({**doc, "checkins": [entry] * (MAX_IMPORTED_CHECKINS + 1)})
    except ValidationError as exc:
        assert exc.errors()[0]["type"] == "too_long"
    else:
        raise AssertionError("a file with too many check-ins was read")


def test_a_country_the_profile_takes_survives_an_export_and_import(client, user) -> None:
    """The import takes exactly the codes the profile takes: an account set to a country
    without its own crisis lines re-imports its own file; a private-use code is refused
    by both."""
    assert client.put("/api/profile", json={"country": "ZZ"}).status_code == 422
    assert client.put("/api/profile", json={"country": "FR"}).status_code == 200
    doc = client.get("/api/export").json()
    assert doc["profile"]["country"] == "FR"
    assert client.put("/api/profile", json={"country": "GB"}).status_code == 200
    r = client.post("/api/import", params={"apply": ["country"]}, json=doc)
    assert r.status_code == 200, r.text
    assert client.get("/api/profile").json()["country"] == "FR"
