"""Sign up, sign in, sign out, and pages that need a session."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, signup
from tests.pages.helpers import csrf, form_of, get_page, hidden, main_of, soup_of


def _signup_page(client: TestClient, username: str, password: str) -> Any:
    token = csrf(get_page(client, "/signup"), "/signup")
    return client.post(
        "/signup", data={"csrf_token": token, "username": username, "password": password}
    )


def _login(client: TestClient, username: str, password: str, path: str = "/login") -> Any:
    soup = get_page(client, path)
    form = form_of(soup, "/login")
    return client.post(
        "/login",
        follow_redirects=False,
        data={
            "csrf_token": hidden(form, "csrf_token"),
            "next": hidden(form, "next"),
            "username": username,
            "password": password,
        },
    )


def _signed_up_elsewhere(client: TestClient) -> str:
    """An account made through the API, then this client signed out of it."""
    name = signup(client)["username"]
    client.cookies.delete("__Host-session")
    return str(name)


def test_signup_shows_recovery_codes_until_saved_and_signs_in(client: TestClient) -> None:
    r = client.post(
        "/signup",
        data={
            "csrf_token": csrf(get_page(client, "/signup"), "/signup"),
            "username": "quiet.river",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/welcome"  # Post/Redirect/Get
    assert "new-codes" in r.headers["set-cookie"]
    soup = get_page(client, "/welcome")
    codes = [c.get_text() for c in main_of(soup).select("ol.codes li code")]
    assert len(codes) == 8 and all(len(code) == 19 for code in codes)
    assert not any(code in r.headers["set-cookie"] for code in codes)  # sealed, not plain
    # A reload shows the same codes; the download holds them too.
    again = [c.get_text() for c in main_of(get_page(client, "/welcome")).select("ol.codes code")]
    assert again == codes
    text = client.get("/welcome/recovery-codes.txt")
    assert text.status_code == 200 and "attachment" in text.headers["content-disposition"]
    assert all(code in text.text for code in codes)
    assert client.get("/settings", follow_redirects=False).status_code == 200
    # "I have saved them": gone for good.
    token = csrf(soup, "/welcome")
    done = client.post("/welcome", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/settings?open=profile#profile"
    after = main_of(get_page(client, "/welcome"))
    assert after.select("ol.codes") == [] and "no longer here" in after.get_text()
    assert client.get("/welcome/recovery-codes.txt", follow_redirects=False).status_code == 303


def test_signup_form_labels(client: TestClient) -> None:
    soup = get_page(client, "/signup")
    labels = {lab["for"]: lab.get_text(strip=True) for lab in soup.find_all("label")}
    assert labels["f-username"] == "Username (not your real name or e-mail)"
    assert labels["f-password"] == "Passphrase"


def test_signup_errors_inline_keep_username_never_the_passphrase(client: TestClient) -> None:
    r = _signup_page(client, "quiet.river", "short")
    assert r.status_code == 422
    soup = soup_of(r)
    error = soup.find(id="err-password")
    assert error is not None and "12 characters" in error.get_text()
    password = soup.find("input", attrs={"name": "password"})
    assert password["aria-describedby"].split() == ["hint-password", "err-password"]
    assert password["value"] == ""
    assert soup.find("input", attrs={"name": "username"})["value"] == "quiet.river"


def test_signup_taken_username_is_an_inline_error(client: TestClient) -> None:
    name = _signed_up_elsewhere(client)
    r = _signup_page(client, name, PASSWORD)
    assert r.status_code == 409
    assert "taken" in soup_of(r).find(id="err-username").get_text()


def test_login_redirects_to_a_safe_next(client: TestClient) -> None:
    name = _signed_up_elsewhere(client)
    r = _login(client, name, PASSWORD, "/login?next=%2Fhistory")
    assert r.status_code == 303
    assert r.headers["location"] == "/history"
    assert client.get("/history").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "history"])
def test_login_never_redirects_off_site(client: TestClient, target: str) -> None:
    name = _signed_up_elsewhere(client)
    token = csrf(get_page(client, "/login"), "/login")
    r = client.post(
        "/login",
        follow_redirects=False,
        data={"csrf_token": token, "next": target, "username": name, "password": PASSWORD},
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_bad_login_inline_error_keeps_username(client: TestClient) -> None:
    name = _signed_up_elsewhere(client)
    r = _login(client, name, "not the right passphrase")
    assert r.status_code == 401
    soup = soup_of(r)
    assert "don't match" in soup.find(id="err-password").get_text()
    assert soup.find("input", attrs={"name": "username"})["value"] == name
    assert soup.find("input", attrs={"name": "password"})["value"] == ""


def test_too_many_failed_logins_say_how_long_to_wait(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.app.state.settings, "LOGIN_FAILURES_PER_ACCOUNT", 2)
    name = _signed_up_elsewhere(client)
    for _ in range(2):
        assert _login(client, name, "wrong wrong wrong").status_code == 401
    r = _login(client, name, PASSWORD)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    notice = main_of(soup_of(r)).find(class_="notice")
    assert "try again in about" in notice.get_text()


def test_login_with_a_bad_csrf_token_keeps_the_username(client: TestClient) -> None:
    name = _signed_up_elsewhere(client)
    get_page(client, "/login")
    r = client.post(
        "/login", data={"csrf_token": "forged", "next": "/", "username": name, "password": PASSWORD}
    )
    assert r.status_code == 403
    soup = soup_of(r)
    assert soup.find("input", attrs={"name": "username"})["value"] == name
    assert "__Host-session" not in client.cookies


def test_logout_ends_the_session_and_clears_site_data(
    client: TestClient, user: dict[str, Any]
) -> None:
    soup = get_page(client, "/")
    nav_form = soup.find("nav").find("form", action="/logout")
    r = client.post(
        "/logout", data={"csrf_token": hidden(nav_form, "csrf_token")}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    assert r.headers["clear-site-data"] == '"cache", "storage"'
    assert client.get("/checkin", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("path", ["/checkin", "/history", "/settings", "/checkins/abc"])
def test_pages_without_a_session_go_to_login(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")
    soup = get_page(client, r.headers["location"])
    assert hidden(form_of(soup, "/login"), "next") == path
