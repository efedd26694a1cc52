from __future__ import annotations

import csv
import io

from sqlalchemy import inspect, text
from sqlmodel import Session

from tests.conftest import signup
from tests.helpers import best_answers, post_checkin, questionnaire


def test_profile_update_and_validation(client, user):
    r = client.put(
        "/api/profile",
        json={"therapy_started_on": "2026-02-01", "on_medication": True, "country": "ie"},
    )
    assert r.status_code == 200
    assert (
        r.json().items()
        >= {
            "username": user["username"],
            "therapy_started_on": "2026-02-01",
            "on_medication": True,
            "country": "IE",
        }.items()
    )
    for bad in (
        {"on_medication": "yes"},
        {"therapy_started_on": "2999-01-01"},
        {"country": "Narnia"},
        {"therapy_started_on": "not a date"},
        {"extra": 1},
    ):
        assert client.put("/api/profile", json=bad).status_code == 422, bad
    assert client.get("/api/profile").json()["country"] == "IE"


def test_export_json_and_csv_hold_everything(client, user):
    q = questionnaire(client)
    post_checkin(
        client, best_answers(q), note="=cmd|' /C calc'!A0", taken_at="2026-05-01T08:00:00Z"
    )
    post_checkin(client, best_answers(q), taken_at="2026-05-08T08:00:00Z")
    data = client.get("/api/export").json()
    assert data["format_version"] == 1
    assert data["account"]["username"] == user["username"]
    assert len(data["checkins"]) == 2
    assert data["checkins"][0]["answers"] == best_answers(q)
    r = client.get("/api/export", params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 2
    assert rows[0]["note"].startswith("'=")  # a spreadsheet won't run it as a formula


def test_delete_account_removes_every_row_it_owns(client, engine):
    signup(client, "keeper")
    q = questionnaire(client)
    post_checkin(client, best_answers(q))
    client.cookies.clear()
    signup(client, "leaver")
    post_checkin(client, best_answers(q), note="private words")
    with Session(engine) as db:
        leaver = db.exec(text("SELECT id FROM account WHERE username='leaver'")).one()[0]  # type: ignore[call-overload]
    r = client.delete("/api/account")
    assert r.status_code == 204
    assert "storage" in r.headers["clear-site-data"]
    inspector = inspect(engine)
    columns = {
        t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()
    }
    with Session(engine) as db:
        for table, cols in columns.items():
            for col in ("user_id", "id") if table == "account" else ("user_id",):
                if col in cols:
                    n = db.exec(
                        text(f"SELECT count(*) FROM {table} WHERE {col} = :u"),  # type: ignore[call-overload]
                        params={"u": leaver},
                    ).one()[0]
                    assert n == 0, table
        dump = " ".join(str(r) for r in db.exec(text("SELECT note FROM checkin")).all())  # type: ignore[call-overload]
        assert "private words" not in dump
        assert db.exec(text("SELECT count(*) FROM checkin")).one()[0] == 1  # type: ignore[call-overload]
    assert client.get("/api/profile").status_code == 401


def test_health_and_openapi_lists_only_api_routes(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    assert paths and all(p.startswith("/api/") for p in paths)


def test_security_headers_on_pages_and_api(client, user):
    for path in ("/healthz", "/api/profile"):
        h = client.get(path).headers
        assert "default-src 'self'" in h["content-security-policy"]
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert h["cache-control"] == "no-store"


def test_readyz_reports_migrations_at_head(client, engine):
    from app.routes.api.health import MIGRATION_HEAD

    r = client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": MIGRATION_HEAD}
    with Session(engine) as db:
        db.exec(text("UPDATE alembic_version SET version_num = '0001'"))  # type: ignore[call-overload]
        db.commit()
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["status"] == "migrations pending"
    with Session(engine) as db:  # put it back for the tests that share this database
        db.exec(text("UPDATE alembic_version SET version_num = :v"), params={"v": MIGRATION_HEAD})  # type: ignore[call-overload]
        db.commit()


def test_display_name_round_trip_trimmed_and_optional(client, user):
    assert client.get("/api/profile").json()["display_name"] is None
    r = client.put("/api/profile", json={"display_name": "  Robin \n K.  "})
    assert r.status_code == 200 and r.json()["display_name"] == "Robin K."
    assert client.get("/api/profile").json()["display_name"] == "Robin K."
    # A PUT without the key leaves the name alone; the other fields behave as before.
    r = client.put("/api/profile", json={"country": "GB", "goals": "Sleep better"})
    assert r.status_code == 200 and r.json()["display_name"] == "Robin K."
    for bad in ({"display_name": "x" * 61}, {"display_name": 7}, {"display_name": ["Robin"]}):
        assert client.put("/api/profile", json=bad).status_code == 422, bad
    r = client.put("/api/profile", json={"display_name": "  " + "x" * 60 + "  "})
    assert r.status_code == 200 and r.json()["display_name"] == "x" * 60  # counted once trimmed
    assert client.put("/api/profile", json={"display_name": ""}).json()["display_name"] is None
    client.put("/api/profile", json={"display_name": "Robin"})
    assert client.put("/api/profile", json={"display_name": None}).json()["display_name"] is None
    assert (
        client.get("/openapi.json").json()["components"]["schemas"]["ProfileIn"]["properties"][
            "display_name"
        ]
        is not None
    )


def test_export_holds_the_display_name_and_reads_back(client, user):
    from app.schemas import ImportDoc

    assert client.get("/api/export").json()["profile"]["display_name"] is None
    client.put("/api/profile", json={"display_name": "Robin"})
    data = client.get("/api/export").json()
    assert data["profile"]["display_name"] == "Robin"
    doc = ImportDoc.model_validate(data)
    assert doc.profile is not None and doc.profile.display_name == "Robin"
    # Files from before the name existed still read, with no name.
    del data["profile"]["display_name"]
    old = ImportDoc.model_validate(data)
    assert old.profile is not None and old.profile.display_name is None
