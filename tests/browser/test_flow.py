"""The whole weekly flow on a 390 px phone screen in Chromium, with and without JavaScript."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE

PASSPHRASE = "tea on the balcony at dawn"


def _watch_origins(page: Page, base: str) -> list[str]:
    foreign: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else foreign.append(r.url))
    return foreign


def _sign_up(page: Page, username: str) -> None:
    page.goto("/signup")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSPHRASE)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("recovery")


def _sign_out(page: Page) -> None:
    """Through the menu, which a phone shows folded under "Menu"."""
    if page.locator("#menu > summary").is_visible() and not page.locator("#menu nav").is_visible():
        page.locator("#menu > summary").click()
    page.locator("form[action='/logout'] button").click()


def _answer(page: Page, risky: bool = False) -> None:
    """Tap one option per question: the second-best, and safety 'not at all' unless risky."""
    for group in page.locator("form.checkin fieldset").all():
        options = group.locator("label.option")
        name = group.locator("input[type=radio]").first.get_attribute("name") or ""
        index = int(risky) if name.startswith("safety") else options.count() - 2
        options.nth(index).tap()  # the visible label, as a thumb would


def test_whole_flow_without_javascript(browser: Browser, live_server: str, shots: Path) -> None:
    context = browser.new_context(**PHONE, base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    foreign = _watch_origins(page, live_server)
    username = f"phone{uuid.uuid4().hex[:6]}"

    _sign_up(page, username)
    page.screenshot(path=shots / "1-recovery-codes.png", full_page=True)

    page.goto("/settings?open=profile")
    started = date.today() - timedelta(weeks=5)
    page.fill("input[name=therapy_started_on]", started.isoformat())
    page.locator("input[name=on_medication][value=yes]").check()
    page.select_option("select[name=country]", "GB")
    page.locator("form[action='/settings/profile'] button[type=submit]").click()
    expect(page.locator("select[name=country]")).to_have_value("GB")
    page.screenshot(path=shots / "2-settings.png", full_page=True)

    page.goto("/checkin")
    assert page.locator("input[name^=side_effects]").count() == 5
    page.screenshot(path=shots / "3-checkin.png", full_page=True)
    _answer(page)
    page.fill("textarea[name=note]", "I want to ask about the homework.")
    page.locator("form.checkin button[type=submit]").click()
    page.wait_for_url("**/checkins/*")
    main = page.locator("main")
    expect(main).to_contain_text("not a diagnosis")
    expect(main).to_contain_text("I want to ask about the homework.")
    page.screenshot(path=shots / "4-result.png", full_page=True)

    page.goto("/history")
    assert page.locator("main svg").count() >= 6
    assert page.locator("main table").count() >= 1
    page.screenshot(path=shots / "5-history.png", full_page=True)

    page.goto("/")
    page.screenshot(path=shots / "6-home.png", full_page=True)

    exported = page.request.get("/api/export").json()
    assert len(exported["checkins"]) == 1
    assert exported["checkins"][0]["note"] == "I want to ask about the homework."

    page.goto("/settings?open=delete")
    page.fill("form[action='/settings/delete'] input[name=password]", PASSPHRASE)
    page.locator("input[name=confirm]").check()
    page.locator("form[action='/settings/delete'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("deleted")
    page.screenshot(path=shots / "7-deleted.png", full_page=True)

    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSPHRASE)
    page.locator("main form button[type=submit]").click()
    assert "/login" in page.url
    expect(page.locator("main")).to_contain_text("don't match")
    assert foreign == []
    context.close()


def test_risk_answer_shows_crisis_help_first(
    browser: Browser, live_server: str, shots: Path
) -> None:
    context = browser.new_context(**PHONE, base_url=live_server)
    page = context.new_page()
    foreign = _watch_origins(page, live_server)
    _sign_up(page, f"risk{uuid.uuid4().hex[:6]}")
    page.goto("/settings?open=profile")
    page.select_option("select[name=country]", "US")
    page.locator("form[action='/settings/profile'] button[type=submit]").click()
    page.goto("/checkin")
    _answer(page, risky=True)
    page.locator("form.checkin button[type=submit]").click()
    page.wait_for_url("**/checkins/*")
    first = page.locator("main > *").first
    expect(first).to_contain_text("988")
    assert page.locator("main a[href^='tel:988']").count() >= 1
    # Nothing above the crisis help, and nothing to close it with.
    assert first.locator("button").count() == 0
    page.screenshot(path=shots / "risk-result.png", full_page=True)
    assert foreign == []
    context.close()
