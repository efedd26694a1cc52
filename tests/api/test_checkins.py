from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.conftest import signup
from tests.helpers import best_answers, item_for, post_checkin, questionnaire, risk_answers


def stored(engine: Engine) -> int:
    with Session(engine) as db:
        return int(db.exec(text("SELECT count(*) FROM checkin")).one()[0])  # type: ignore[call-overload]


def test_questionnaire_lists_items_with_their_scales(client):
    q = questionnaire(client)
    assert q["id"] and q["version"]
    assert 10 <= len([i for i in q["items"] if i["required"]]) <= 14
    domains = {item["domain"] for item in q["items"]}
    assert {"heard", "connection", "progress", "distress", "coping", "hope", "safety"} <= domains
    for item in q["items"]:
        assert len(item["labels"]) == item["max"] - item["min"] + 1
        assert item["higher_is"] in ("better", "worse")


def test_side_effects_item_only_for_clients_on_medication(client, user):
    assert "side_effects" not in {i["domain"] for i in questionnaire(client)["items"]}
    assert client.put("/api/profile", json={"on_medication": True}).status_code == 200
    assert "side_effects" in {i["domain"] for i in questionnaire(client)["items"]}


def test_checkin_is_scored_and_follows_the_contract(client, user):
    q = questionnaire(client)
    cid = str(uuid.uuid4())
    r = client.post(
        "/api/checkins",
        json={"client_id": cid, "answers": best_answers(q), "note": "Ask about the homework"},
    )
    assert r.status_code == 201, r.text
    res = r.json()
    assert set(res) >= {
        "id",
        "client_id",
        "taken_at",
        "therapy_week",
        "scores",
        "signs",
        "suggestions",
        "urgent",
    }
    assert res["client_id"] == cid and res["urgent"] is False
    for score in res["scores"].values():
        assert 0 <= score["value"] <= 100
        assert score["band"] in ("good", "watch", "concern")
    assert [s["id"] for s in res["signs"]] == ["on_track"]
    assert res["suggestions"][0]["id"] == "keep_going"
    assert client.get(f"/api/checkins/{res['id']}").json() == res


def test_risk_answer_puts_urgent_help_first(client, user):
    client.put("/api/profile", json={"country": "GB"})
    r = post_checkin(client, risk_answers(questionnaire(client)))
    res = r.json()
    assert r.status_code == 201 and res["urgent"] is True
    assert res["signs"][0]["id"] == "self_harm_risk" and res["signs"][0]["level"] == "urgent"
    assert res["suggestions"][0]["id"] == "urgent_help"
    assert "116 123" in " ".join(res["suggestions"][0]["steps"])
    assert "pause" not in {s["id"] for s in res["suggestions"]}


def test_same_client_id_is_stored_once_and_different_answers_conflict(client, user, engine):
    q = questionnaire(client)
    body = {"client_id": str(uuid.uuid4()), "answers": best_answers(q), "note": None}
    first = client.post("/api/checkins", json=body)
    again = client.post("/api/checkins", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    changed = dict(body, answers={**body["answers"], item_for(q, "hope")["id"]: 1})
    assert client.post("/api/checkins", json=changed).status_code == 409
    assert stored(engine) == 1


def test_taken_at_in_the_past_is_kept_and_future_refused(client, user, engine):
    q = questionnaire(client)
    past = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    r = post_checkin(client, best_answers(q), taken_at=past.isoformat())
    assert r.status_code == 201
    assert datetime.fromisoformat(r.json()["taken_at"]) == past
    future = datetime.now(UTC) + timedelta(days=1)
    r = post_checkin(client, best_answers(q), taken_at=future.isoformat())
    assert r.status_code == 422 and "future" in str(r.json()["detail"])
    assert stored(engine) == 1


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a, q: {**a, item_for(q, "hope")["id"]: 99},  # out of range
        lambda a, q: {**a, item_for(q, "hope")["id"]: True},  # boolean
        lambda a, q: {**a, item_for(q, "hope")["id"]: "3"},  # string
        lambda a, q: {**a, item_for(q, "hope")["id"]: 2.5},  # float
        lambda a, q: {**a, "made_up_item": 1},  # unknown item
        lambda a, q: {k: v for k, v in a.items() if k != item_for(q, "safety")["id"]},  # missing
    ],
)
def test_bad_answers_are_422_and_nothing_is_stored(client, user, mutate, engine):
    q = questionnaire(client)
    r = post_checkin(client, mutate(best_answers(q), q))
    assert r.status_code == 422
    assert r.json()["detail"]
    assert stored(engine) == 0


def test_side_effects_answer_refused_when_not_on_medication(client, user, engine):
    client.put("/api/profile", json={"on_medication": True})
    q = questionnaire(client)
    client.put("/api/profile", json={"on_medication": False})
    r = post_checkin(client, best_answers(q))
    assert r.status_code == 422
    assert stored(engine) == 0


def test_bad_client_id_and_wrong_content_type(client, user, engine):
    q = questionnaire(client)
    r = client.post("/api/checkins", json={"client_id": "nope", "answers": best_answers(q)})
    assert r.status_code == 422
    import json

    body = json.dumps({"client_id": str(uuid.uuid4()), "answers": best_answers(q)})
    r = client.post("/api/checkins", content=body, headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "detail" in r.json()
    r = client.post("/api/checkins", data={"client_id": str(uuid.uuid4())})
    assert r.status_code == 415
    assert stored(engine) == 0


def test_cross_site_requests_are_refused(client, user, engine):
    q = questionnaire(client)
    for headers in (
        {"origin": "https://evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"origin": "null"},
    ):
        r = client.post(
            "/api/checkins",
            headers=headers,
            json={"client_id": str(uuid.uuid4()), "answers": best_answers(q)},
        )
        assert r.status_code == 403, headers
    ok = client.post(
        "/api/checkins",
        # What Chromium sends for the app's own request under Referrer-Policy: no-referrer.
        headers={"origin": "null", "sec-fetch-site": "same-origin"},
        json={"client_id": str(uuid.uuid4()), "answers": best_answers(q)},
    )
    assert ok.status_code == 201
    assert stored(engine) == 1


def test_no_session_is_401_everywhere(client, engine):
    for method, path in [
        ("GET", "/api/checkins"),
        ("GET", "/api/summary"),
        ("GET", "/api/export"),
        ("DELETE", "/api/account"),
        ("PUT", "/api/profile"),
        ("GET", f"/api/checkins/{uuid.uuid4()}"),
    ]:
        r = client.request(method, path, json={} if method == "PUT" else None)
        assert r.status_code == 401, path
    r = client.post("/api/checkins", json={"client_id": str(uuid.uuid4()), "answers": {}})
    assert r.status_code == 401
    assert stored(engine) == 0


def test_another_accounts_checkin_is_404(client):
    signup(client, "first_one")
    q = questionnaire(client)
    theirs = post_checkin(client, best_answers(q)).json()["id"]
    client.cookies.clear()
    signup(client, "second_one")
    assert client.get(f"/api/checkins/{theirs}").status_code == 404
    assert client.get("/api/checkins").json() == {"items": [], "next": None}


def test_keyset_pagination_newest_first(client, user):
    q = questionnaire(client)
    start = datetime(2026, 1, 5, 18, tzinfo=UTC)
    for week in range(5):
        r = post_checkin(
            client, best_answers(q), taken_at=(start + timedelta(weeks=week)).isoformat()
        )
        assert r.status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"before": cursor} if cursor else {})
        page = client.get("/api/checkins", params=params).json()
        seen += [item["taken_at"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)
    assert client.get("/api/checkins", params={"before": "garbage!"}).status_code == 422
    assert client.get("/api/checkins", params={"limit": 0}).status_code == 422


def test_summary_trend_since_therapy_started(client, user):
    client.put("/api/profile", json={"therapy_started_on": "2026-01-01"})
    q = questionnaire(client)
    post_checkin(client, best_answers(q), taken_at="2025-12-20T10:00:00Z")  # before therapy
    for week in (1, 2, 3):
        post_checkin(client, best_answers(q), taken_at=f"2026-01-{week * 7:02d}T10:00:00Z")
    s = client.get("/api/summary").json()
    assert s["checkin_count"] == 3
    assert len(s["domains"]["heard"]["points"]) == 3
    assert s["latest"]["taken_at"].startswith("2026-01-21")
    assert s["therapy_started_on"] == "2026-01-01"


def _distress_and_progress(q, distress: int, progress: int) -> dict[str, int]:
    answers = best_answers(q) | {"distress_week": distress}
    return answers | {i["id"]: progress for i in q["items"] if i["domain"] == "progress"}


def test_summary_start_is_the_engines_baseline(client, user):
    client.put("/api/profile", json={"therapy_started_on": "2026-01-01"})
    q = questionnaire(client)
    # Before therapy started, then two weeks in: distress 25, 50, 100; progress 50, 75, 75.
    for when, distress, progress in (
        ("2025-12-20", 2, 3),
        ("2026-01-07", 3, 4),
        ("2026-01-14", 5, 4),
    ):
        post_checkin(
            client, _distress_and_progress(q, distress, progress), taken_at=f"{when}T10:00:00Z"
        )
    domains = client.get("/api/summary").json()["domains"]
    distress, progress = domains["distress"], domains["progress"]
    # Unchanged: the first and the change since therapy started.
    assert (distress["first"], distress["latest"], distress["change"]) == (50, 100, 50)
    # The start counts every check-in, averaged as wellness (75 and 50 -> 62.5 -> 63): 37.
    assert distress["start"] == 37 and distress["change_from_start"] == 63
    assert progress["start"] == 63 and progress["change_from_start"] == 12
    assert distress["start_checkins"] == progress["start_checkins"] == 2


def test_summary_start_leaves_out_the_latest_checkin(client, user):
    q = questionnaire(client)
    post_checkin(client, _distress_and_progress(q, 2, 3), taken_at="2026-01-07T10:00:00Z")
    only = client.get("/api/summary").json()["domains"]["distress"]
    assert (only["start"], only["start_checkins"], only["change_from_start"]) == (25, 1, 0)
    post_checkin(client, _distress_and_progress(q, 3, 3), taken_at="2026-01-14T10:00:00Z")
    two = client.get("/api/summary").json()["domains"]["distress"]
    # As on the latest result: compared with the one before it, not with itself.
    assert (two["start"], two["start_checkins"], two["change_from_start"]) == (25, 1, 25)


# --- hostile times, cursors and ids: a 4xx with a JSON detail, never a 500 --------------


@pytest.mark.parametrize(
    "taken_at",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00",  # naive: UTC
        "0001-01-01T00:00:00+23:59",  # overflows when turned into UTC
        "9999-12-31T23:59:59-23:59",  # likewise, the other way
        "9999-12-31T23:59:59",  # in the future
        "9999-12-31T23:59:59+23:59",
        "1999-12-31T23:59:59Z",
        "2000-01-01T00:00:00+00:01",  # 1999-12-31T23:59 in UTC
        12,  # a Unix time in 1970
    ],
)
def test_taken_at_outside_2000_to_now_is_422_and_nothing_is_stored(client, user, engine, taken_at):
    q = questionnaire(client)
    r = post_checkin(client, best_answers(q), taken_at=taken_at)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
    assert stored(engine) == 0


@pytest.mark.parametrize(
    ("taken_at", "kept"),
    [
        ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"),
        ("2000-01-01T00:00:00", "2000-01-01T00:00:00Z"),
        ("1999-12-31T23:59:59-01:00", "2000-01-01T00:59:59Z"),
        ("2000-01-01T23:59:00+23:59", "2000-01-01T00:00:00Z"),
    ],
)
def test_taken_at_from_2000_on_is_kept_in_utc(client, user, taken_at, kept):
    r = post_checkin(client, best_answers(questionnaire(client)), taken_at=taken_at)
    assert r.status_code == 201, r.text
    assert r.json()["taken_at"] == kept


def _cursor(text_: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text_.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "before",
    [
        "garbage!",
        "%00",
        _cursor("0001-01-01T00:00:00|" + str(uuid.uuid4())),
        _cursor("0001-01-01T00:00:00+23:59|" + str(uuid.uuid4())),
        _cursor("9999-12-31T23:59:59-23:59|" + str(uuid.uuid4())),
        _cursor("9999-12-31T23:59:59|" + str(uuid.uuid4())),
        _cursor("1999-12-31T23:59:59Z|" + str(uuid.uuid4())),
        _cursor("2026-01-05T18:00:00+00:00|99999999999999999999999"),
        _cursor("2026-01-05T18:00:00+00:00|x\x00"),
        _cursor("2026-01-05T18:00:00+00:00"),
        _cursor("not a time|" + str(uuid.uuid4())),
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-23:59",
    ],
)
def test_a_before_cursor_the_server_never_gave_is_422(client, user, before):
    post_checkin(client, best_answers(questionnaire(client)), taken_at="2026-01-05T18:00:00Z")
    r = client.get("/api/checkins", params={"before": before})
    assert r.status_code == 422, r.text
    assert "cursor" in str(r.json()["detail"])


def test_a_cursor_the_server_gave_still_works(client, user):
    q = questionnaire(client)
    for day in (5, 12):
        post_checkin(client, best_answers(q), taken_at=f"2026-01-{day:02d}T18:00:00+02:00")
    first = client.get("/api/checkins", params={"limit": 1}).json()
    rest = client.get("/api/checkins", params={"limit": 1, "before": first["next"]}).json()
    assert [i["taken_at"] for i in rest["items"]] == ["2026-01-05T16:00:00Z"]


@pytest.mark.parametrize(
    "bad_id",
    ["99999999999999999999999", "18446744073709551616", "0", "-1", "x" * 5000, "1e3", "%00"],
)
def test_a_checkin_id_that_is_no_uuid_is_422_and_nothing_changes(client, user, engine, bad_id):
    q = questionnaire(client)
    made = post_checkin(client, best_answers(q)).json()
    for method, path, body in [
        ("GET", f"/api/checkins/{bad_id}", None),
        ("DELETE", f"/api/checkins/{bad_id}", None),
        ("POST", f"/api/checkins/{bad_id}/follow-up", {"answers": {"support_people": 1}}),
    ]:
        r = client.request(method, path, json=body)
        assert r.status_code == 422, (method, r.text)
        assert r.json()["detail"]
    assert stored(engine) == 1
    assert client.get(f"/api/checkins/{made['id']}").json() == made
    assert client.get(f"/api/checkins/{uuid.uuid4()}").status_code == 404  # well formed


def test_answers_are_bounded_in_number_and_key_length(client, user, engine):
    q = questionnaire(client)
    many = {**best_answers(q), **{f"item_{i}": 1 for i in range(100)}}
    assert post_checkin(client, many).status_code == 422
    long_key = {**best_answers(q), "k" * 65: 1}
    r = post_checkin(client, long_key)
    assert r.status_code == 422 and "at most 64" in str(r.json()["detail"])
    assert stored(engine) == 0
