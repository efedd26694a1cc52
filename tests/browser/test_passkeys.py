"""Passkeys in Chromium on a phone-sized screen, with a CDP virtual authenticator.

WebAuthn refuses IP addresses as relying-party ids, so these pages are opened at
http://localhost (a secure context in Chromium), never at 127.0.0.1.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect
from sqlalchemy import create_engine, text

from app.models import utcnow
from tests.browser.conftest import PHONE
from tests.browser.test_flow import _sign_out

PASSPHRASE = "tea on the balcony at dawn"


def _localhost(live_server: str) -> str:
    return live_server.replace("127.0.0.1", "localhost")


def _virtual_authenticator(context: BrowserContext, page: Page) -> tuple[CDPSession, str]:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, str(added["authenticatorId"])


def _axe_clean(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, (page.url, results.generate_report())


def _sign_up(page: Page, username: str) -> None:
    page.goto("/signup")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSPHRASE)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("recovery")


def test_sign_in_with_a_passkey_instead_of_the_passphrase(
    browser: Browser, live_server: str, shots: Path
) -> None:
    base = _localhost(live_server)
    context = browser.new_context(**PHONE, base_url=base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    cdp, authenticator = _virtual_authenticator(context, page)
    username = f"key{uuid.uuid4().hex[:6]}"
    _sign_up(page, username)

    # Add a passkey in settings.
    page.goto("/settings#passkeys-title")
    section = page.locator("section#passkeys")
    expect(section.locator("#passkey-add-unsupported")).to_be_hidden()
    page.fill("#f-passkey-name", "This phone")
    page.locator("#passkey-add").tap()
    page.wait_for_url("**/settings?passkey=added*")
    expect(section.locator(".notice")).to_contain_text("Passkey added")
    expect(section.locator("li.passkey")).to_contain_text("This phone")
    expect(section.locator("li.passkey")).to_contain_text("Not used to sign in yet.")
    section.scroll_into_view_if_needed()
    page.screenshot(path=shots / "1-passkey-added.png")
    _axe_clean(page)
    stored: dict[str, Any] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    [credential] = stored["credentials"]
    assert credential["isResidentCredential"] is True  # found without a username

    # Sign out, then sign in with the passkey: no username, no passphrase.
    _sign_out(page)
    page.wait_for_url(base + "/")
    page.goto("/login?next=/history")
    button = page.get_by_role("button", name="Sign in with a passkey")
    expect(button).to_be_visible()
    page.screenshot(path=shots / "2-sign-in-page.png")
    _axe_clean(page)
    button.tap()
    page.wait_for_url("**/history")
    expect(page.locator("#menu a[href='/settings']")).to_be_attached()  # signed in
    assert page.locator("input[name=password]").count() == 0

    # The passkey shows when it was last used; then remove it.
    page.goto("/settings#passkeys-title")
    item = section.locator("li.passkey")
    expect(item).to_contain_text("Last used")
    item.scroll_into_view_if_needed()
    page.screenshot(path=shots / "3-last-used.png")
    item.get_by_role("button", name="Remove the passkey This phone").tap()
    page.wait_for_url("**/settings?passkey=removed*")
    expect(section.locator(".notice")).to_contain_text("Passkey removed")
    expect(section.locator("li.passkey")).to_have_count(0)
    section.scroll_into_view_if_needed()
    page.screenshot(path=shots / "4-removed.png")

    # The phone still holds the credential, but the account no longer accepts it.
    _sign_out(page)
    page.wait_for_url(base + "/")
    page.goto("/login")
    page.get_by_role("button", name="Sign in with a passkey").tap()
    expect(page.locator("#passkey-signin-status")).to_contain_text("wasn't accepted")
    assert "/login" in page.url
    page.screenshot(path=shots / "5-refused.png")
    assert errors == [] or all("401" in e for e in errors), errors
    context.close()


def test_adding_a_passkey_an_hour_after_signing_in_asks_for_the_passphrase_first(
    browser: Browser, live_server: str, live_database_url: str, shots: Path
) -> None:
    context = browser.new_context(**PHONE, base_url=_localhost(live_server))
    page = context.new_page()
    _virtual_authenticator(context, page)
    username = f"late{uuid.uuid4().hex[:6]}"
    _sign_up(page, username)
    engine = create_engine(live_database_url)
    with engine.begin() as db:  # signed in an hour ago: move the clock, don't sleep
        db.execute(
            text(
                "UPDATE auth_session SET created_at = :t WHERE user_id = "
                "(SELECT id FROM account WHERE username = :u)"
            ),
            {"t": utcnow() - timedelta(hours=1), "u": username},
        )
    engine.dispose()

    page.goto("/settings#passkeys-title")
    page.locator("#passkey-add").tap()
    page.wait_for_url("**/reauth?next=*")
    page.screenshot(path=shots / "1-confirm-first.png")
    page.fill("input[name=password]", PASSPHRASE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/settings#passkeys-title")
    page.locator("#passkey-add").tap()
    page.wait_for_url("**/settings?passkey=added*")
    expect(page.locator("section#passkeys li.passkey")).to_have_count(1)
    context.close()


def test_a_phone_without_a_passkey_gets_a_kind_message(
    browser: Browser, live_server: str, shots: Path
) -> None:
    context = browser.new_context(**PHONE, base_url=_localhost(live_server))
    page = context.new_page()
    _virtual_authenticator(context, page)  # holds no passkey for this site
    page.goto("/login")
    page.get_by_role("button", name="Sign in with a passkey").tap()
    status = page.locator("#passkey-signin-status")
    expect(status).to_contain_text("cancelled or timed out", timeout=15000)
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_enabled()
    page.screenshot(path=shots / "1-no-passkey.png")
    context.close()


def test_without_javascript_the_passkey_buttons_stay_hidden(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(
        **PHONE, base_url=_localhost(live_server), java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_hidden()
    _sign_up(page, f"nojs{uuid.uuid4().hex[:6]}")
    page.goto("/settings?open=security")
    expect(page.locator("#passkey-add")).to_be_hidden()
    expect(page.locator("#passkey-add-unsupported")).to_be_visible()
    context.close()
