"""Installable, offline-first: the service worker, the outbox and the manifest in Chromium."""

from __future__ import annotations

import json
import struct
import uuid
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_flow import PASSPHRASE, _answer, _sign_out, _sign_up, _watch_origins

CACHED_CHECKIN = """async () => {
  for (const key of await caches.keys()) {
    if (await (await caches.open(key)).match(location.origin + '/checkin')) return true;
  }
  return false;
}"""


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Any:
    context = browser.new_context(**PHONE, base_url=live_server)
    page = context.new_page()
    foreign = _watch_origins(page, live_server)
    yield context, page
    context.close()
    assert foreign == [], foreign  # nothing ever leaves the app's own origin


def _controlled(page: Page, path: str = "/checkin") -> None:
    page.goto(path)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(CACHED_CHECKIN)


def _stored(page: Page) -> list[dict[str, Any]]:
    r = page.request.get("/api/checkins?limit=100")
    assert r.ok
    return list(r.json()["items"])


def _outbox(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("() => Outbox.all()"))


def _submit(page: Page) -> None:
    _answer(page)
    page.fill("textarea[name=note]", f"offline note {uuid.uuid4().hex[:4]}")
    page.locator("form.checkin button[type=submit]").click()


def test_service_worker_controls_and_checkin_reloads_offline(phone: Any, shots: Path) -> None:
    context, page = phone
    _sign_up(page, f"sw{uuid.uuid4().hex[:6]}")
    _controlled(page)
    context.set_offline(True)
    page.reload()
    expect(page.locator("form.checkin fieldset").first).to_be_visible()
    page.screenshot(path=shots / "checkin-offline.png")
    page.goto("/somewhere-never-visited")
    expect(page.locator("main")).to_contain_text("offline")
    page.screenshot(path=shots / "offline-page.png")
    context.set_offline(False)


def test_answer_offline_then_online_stores_exactly_one(phone: Any, shots: Path) -> None:
    context, page = phone
    _sign_up(page, f"off{uuid.uuid4().hex[:6]}")
    _controlled(page)
    context.set_offline(True)
    page.reload()
    _submit(page)
    expect(page.locator("#app-status")).to_contain_text("Saved on this phone")
    page.screenshot(path=shots / "1-saved-offline.png")
    queued = _outbox(page)
    assert len(queued) == 1 and set(queued[0]) == {"client_id", "taken_at", "answers", "note"}

    context.set_offline(False)  # fires `online`: the page sends and shows the result
    page.wait_for_url("**/checkins/*")
    expect(page.locator("main")).to_contain_text("not a diagnosis")
    page.screenshot(path=shots / "2-result-after-sync.png", full_page=True)
    assert _outbox(page) == []
    assert len(_stored(page)) == 1
    for _ in range(3):
        page.goto("/checkin")
        page.reload()
    assert len(_stored(page)) == 1


def test_two_checkins_queued_offline_arrive_once_each(phone: Any) -> None:
    context, page = phone
    _sign_up(page, f"two{uuid.uuid4().hex[:6]}")
    _controlled(page)
    context.set_offline(True)
    page.reload()
    _submit(page)
    expect(page.locator("#app-status")).to_contain_text("Saved on this phone")
    _submit(page)
    page.wait_for_function("async () => (await Outbox.all()).length === 2")
    context.set_offline(False)
    page.wait_for_url("**/checkins/*")
    page.goto("/")
    page.reload()
    stored = _stored(page)
    assert len(stored) == 2
    assert len({s["client_id"] for s in stored}) == 2
    assert all(s["note"].startswith("offline note") for s in stored)


def test_outbox_waits_for_sign_in_when_the_session_expired(phone: Any, live_server: str) -> None:
    context, page = phone
    name = f"exp{uuid.uuid4().hex[:6]}"
    _sign_up(page, name)
    _controlled(page)
    context.set_offline(True)
    page.reload()
    _submit(page)
    expect(page.locator("#app-status")).to_contain_text("Saved on this phone")
    context.clear_cookies()  # the session ends while the phone is offline
    context.set_offline(False)
    expect(page.locator("#app-status")).to_contain_text("Sign in")
    assert len(_outbox(page)) == 1
    page.goto("/login?next=/checkin")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSPHRASE)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#app-status")).to_contain_text("Sent from this phone")
    assert _outbox(page) == []
    assert len(_stored(page)) == 1


def test_sign_out_empties_the_outbox_and_page_cache(phone: Any) -> None:
    context, page = phone
    _sign_up(page, f"bye{uuid.uuid4().hex[:6]}")
    _controlled(page)
    context.set_offline(True)
    page.reload()
    _submit(page)
    expect(page.locator("#app-status")).to_contain_text("Saved on this phone")
    context.set_offline(False)
    page.wait_for_url("**/checkins/*")
    _sign_out(page)
    page.wait_for_url("**/")
    assert _outbox(page) == []
    assert page.evaluate(CACHED_CHECKIN) is False


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_manifest_has_what_an_install_needs(phone: Any) -> None:
    _context, page = phone
    page.goto("/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(href or "").json()
    assert manifest["name"] and manifest["short_name"]
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/" and manifest["start_url"].startswith("/")
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {}
    for icon in manifest["icons"]:
        r = page.request.get(icon["src"])
        assert r.ok and r.headers["content-type"] == "image/png"
        assert f"{_png_size(r.body())[0]}x{_png_size(r.body())[1]}" == icon["sizes"]
        sizes.setdefault(icon["sizes"], set()).add(icon.get("purpose", "any"))
    assert "any" in sizes["192x192"] and "any" in sizes["512x512"]
    assert "maskable" in sizes["512x512"]
    sw = page.request.get("/sw.js")
    assert sw.ok and "javascript" in sw.headers["content-type"]


def _unfold(page: Page) -> None:
    """Every folded part open (the menu, Settings' sections), so all of it is checked."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def _axe_clean(page: Page, path: str) -> None:
    page.goto(path)
    _unfold(page)
    results = Axe().run(page)
    assert results.violations_count == 0, (path, results.generate_report())


def test_no_accessibility_violations_on_any_page(
    browser: Browser, live_server: str, tmp_path: Path
) -> None:
    context: BrowserContext = browser.new_context(**PHONE, base_url=live_server)
    page = context.new_page()
    for path in ("/login", "/signup", "/offline", "/recover"):
        _axe_clean(page, path)
    _sign_up(page, f"axe{uuid.uuid4().hex[:6]}")
    _axe_clean(page, page.url)  # the recovery codes, shown again on a reload
    page.goto("/checkin")
    _answer(page)
    page.locator("form.checkin button[type=submit]").click()
    page.wait_for_url("**/checkins/*")
    result = page.url
    for path in (
        "/",
        "/checkin",
        result,
        f"{result}/delete",
        "/history",
        "/settings",
        "/settings/activity",
        "/offline",
        "/safety-plan",
    ):
        _axe_clean(page, path)
    plan = {"coping": ["A walk"], "professionals": [{"name": "Dr Lee", "phone": "020 7946 0000"}]}
    assert page.request.put("/api/safety-plan", data=plan).ok
    _axe_clean(page, "/safety-plan")
    page.goto("/checkin")
    _answer(page, risky=True)
    page.locator("form.checkin button[type=submit]").click()
    page.wait_for_url("**/checkins/*")
    _axe_clean(page, page.url)  # an urgent result, with the plan and the folded rest
    if page.request.get("/talking-points").ok:
        _axe_clean(page, "/talking-points")
    # An import whose file differs from the account: the page that asks what to take.
    exported = page.request.get("/api/export").json()
    exported["profile"] = {**exported["profile"], "country": "US", "goals": "Walk daily"}
    upload = tmp_path / "export.json"
    upload.write_text(json.dumps(exported))
    page.goto("/settings?open=data")
    page.set_input_files("#f-import-file", str(upload))
    page.locator("form[action='/settings/import'] button[type=submit]").click()
    expect(page.locator("form[action='/settings/import/changes']")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    context.close()


def test_a_risk_answer_offline_shows_crisis_help_at_once(phone: Any, shots: Path) -> None:
    """No signal: the country's lines and the safety plan come first, from the cached form;
    the check-in goes once, with the form's own client_id, when the network is back."""
    context, page = phone
    _sign_up(page, f"risk{uuid.uuid4().hex[:6]}")
    assert page.request.put("/api/profile", data={"country": "GB"}).ok
    _controlled(page)
    context.set_offline(True)
    page.reload()
    form_id = page.locator("form.checkin input[name=client_id]").input_value()
    _answer(page)
    page.locator("fieldset[data-risk-above] input[value='3']").check()
    page.locator("form.checkin button[type=submit]").click()
    crisis = page.locator("main > #crisis")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("116 123")
    expect(crisis.locator("a[href='tel:116123']").first).to_be_visible()
    expect(crisis.locator("ol.plan li").first).to_be_visible()
    expect(page.locator("#app-status")).to_contain_text("Saved on this phone")
    # Help comes before "saved", and the heading has the focus for a screen reader.
    assert page.evaluate(
        "document.getElementById('crisis').compareDocumentPosition("
        "document.getElementById('app-status')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    expect(page.locator("#crisis-title")).to_be_focused()
    page.screenshot(path=shots / "risk-offline.png", full_page=True)
    queued = _outbox(page)
    assert [q["client_id"] for q in queued] == [form_id]
    assert page.locator("form.checkin input[name=client_id]").input_value() != form_id

    context.set_offline(False)
    page.wait_for_url("**/checkins/*")
    expect(page.locator("main > #crisis")).to_be_visible()  # and online, on the result
    stored = _stored(page)
    assert [s["client_id"] for s in stored] == [form_id] and stored[0]["urgent"]


def test_the_same_form_sent_twice_stores_one_check_in(phone: Any) -> None:
    """A resend of the same form (the outbox, then the plain form post) is one check-in."""
    _context, page = phone
    _sign_up(page, f"twice{uuid.uuid4().hex[:6]}")
    _controlled(page)
    _answer(page)
    html_form = page.evaluate(
        "() => Object.fromEntries(new FormData(document.querySelector('form.checkin')))"
    )
    page.locator("form.checkin button[type=submit]").click()
    page.wait_for_url("**/checkins/*")
    first = page.url
    r = page.request.post("/checkin", form=html_form, max_redirects=0)
    assert r.status == 303 and first.endswith(r.headers["location"])
    assert len(_stored(page)) == 1


def test_the_safety_plan_is_there_offline_once_visited(phone: Any, shots: Path) -> None:
    context, page = phone
    _sign_up(page, f"plan{uuid.uuid4().hex[:6]}")
    _controlled(page)
    page.goto("/safety-plan")
    page.fill("#f-coping", "Cold water on my face\nCall Sam")
    page.fill("#f-professionals-0-name", "Dr Lee")
    page.fill("#f-professionals-0-phone", "020 7946 0000")
    page.locator("form[action='/safety-plan'] button[type=submit]").click()
    expect(page.locator("#my-plan")).to_contain_text("Cold water on my face")
    page.wait_for_function(
        """async () => {
          for (const key of await caches.keys()) {
            const hit = await (await caches.open(key)).match(location.origin + '/safety-plan');
            if (hit && (await hit.text()).includes('Cold water')) return true;
          }
          return false;
        }"""
    )
    context.set_offline(True)
    page.goto("/safety-plan")
    expect(page.locator("#my-plan")).to_contain_text("Cold water on my face")
    expect(page.locator("#my-plan a[href='tel:02079460000']")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Saved.")  # no stale one-time notice
    page.screenshot(path=shots / "safety-plan-offline.png", full_page=True)
    context.set_offline(False)


def test_a_form_served_again_from_the_cache_gets_a_fresh_id(phone: Any) -> None:
    """Two check-ins answered offline, each on a fresh load of the cached form, arrive as
    two: the cached form's client_id is used once only."""
    context, page = phone
    _sign_up(page, f"cache{uuid.uuid4().hex[:6]}")
    _controlled(page)
    context.set_offline(True)
    page.reload()
    _submit(page)
    expect(page.locator("#app-status")).to_contain_text("Saved on this phone")
    page.reload()  # the same cached page, with the same server-made client_id
    _submit(page)
    page.wait_for_function("async () => (await Outbox.all()).length === 2")
    ids = {entry["client_id"] for entry in _outbox(page)}
    assert len(ids) == 2
    context.set_offline(False)
    page.wait_for_url("**/checkins/*")
    assert {s["client_id"] for s in _stored(page)} == ids


NARROW = {**PHONE, "viewport": {"width": 320, "height": 640}}


def test_no_page_scrolls_sideways_on_a_small_phone(browser: Browser, live_server: str) -> None:
    """At 320 px wide the document is exactly as wide as the screen on every page."""
    context = browser.new_context(**NARROW, base_url=live_server)
    page = context.new_page()
    wide = {}

    def measure(path: str | None = None) -> None:
        if path is not None:
            page.goto(path)
        _unfold(page)  # Settings' sections and the menu open too
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[path or page.url] = width

    for path in ("/login", "/signup", "/recover"):
        measure(path)
    _sign_up(page, f"narrow{uuid.uuid4().hex[:6]}")
    measure()  # the recovery codes
    for _ in range(2):
        page.goto("/checkin")
        _answer(page)
        page.locator("form.checkin button[type=submit]").click()
        page.wait_for_url("**/checkins/*")
    result = page.url
    paths = ["/", "/checkin", result, "/history", "/settings", "/safety-plan", "/talking-points"]
    for path in [*paths, f"{result}/delete", "/offline", "/settings/activity"]:
        measure(path)
    context.close()
    assert wide == {}


def test_the_menu_folds_on_a_small_phone(browser: Browser, live_server: str) -> None:
    """At 320 px the header is one row with "Menu"; on a wide screen the links show."""
    context = browser.new_context(**NARROW, base_url=live_server)
    page = context.new_page()
    _sign_up(page, f"menu{uuid.uuid4().hex[:6]}")
    page.goto("/")
    history = page.locator("#menu nav a[href='/history']")
    expect(history).to_be_hidden()
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] < 80, header  # was 189 px
    page.get_by_text("Menu", exact=True).click()
    history.click()
    page.wait_for_url("**/history")
    expect(page.locator("#menu nav a[href='/history']")).to_have_attribute("aria-current", "page")
    page.set_viewport_size({"width": 1024, "height": 768})
    expect(page.locator("#menu nav a[href='/']")).to_be_visible()
    context.close()


def test_a_settings_mistake_is_in_view_with_the_focus(
    browser: Browser, live_server: str, shots: Path
) -> None:
    """A wrong passphrase on Delete account: the section comes back open, the field with
    the message focused and on screen; the page is a short list of sections otherwise."""
    context = browser.new_context(**PHONE, base_url=live_server)
    page = context.new_page()
    _sign_up(page, f"fold{uuid.uuid4().hex[:6]}")
    page.goto("/settings")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1400, height  # every section folded (it was over 5,000 px)
    page.get_by_text("Delete your account", exact=True).click()
    page.fill("form[action='/settings/delete'] input[name=password]", "not my passphrase")
    page.locator("input[name=confirm]").check()
    page.locator("form[action='/settings/delete'] button[type=submit]").click()
    wrong = page.locator("#f-password")
    expect(wrong).to_be_focused()
    expect(wrong).to_be_in_viewport()
    expect(page.locator("#err-password")).to_be_in_viewport()
    page.screenshot(path=shots / "settings-error.png")
    assert page.request.get("/api/profile").ok  # nothing was deleted
    context.close()


def test_recovery_codes_survive_a_reload(phone: Any) -> None:
    """The codes page is a Get after the sign-up's Post: a reload shows the same codes."""
    _context, page = phone
    _sign_up(page, f"codes{uuid.uuid4().hex[:6]}")
    codes = page.locator("ol.codes code").all_inner_texts()
    assert len(codes) >= 8
    page.reload()
    assert page.locator("ol.codes code").all_inner_texts() == codes
    expect(page.locator("[data-copy=codes]")).to_be_visible()
    page.get_by_role("button", name="I have saved them, continue").click()
    page.wait_for_url("**/settings?open=profile*")
    expect(page.locator("details#profile")).to_have_attribute("open", "")
    expect(page.locator("select[name=country]")).to_be_visible()
