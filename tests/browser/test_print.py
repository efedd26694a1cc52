"""The talking-points sheet in Chromium: one printed page on A4 and on Letter, and the
read-only link opened by someone else (only the chosen points; 404 once revoked or expired)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import create_engine
from sqlmodel import Session, select

from app.models import ShareLink, utcnow
from app.settings import ROOT
from tests import heavy_case
from tests.browser.conftest import PHONE

PASSPHRASE = "tea on the balcony at dawn"
PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"  # poppler-utils, as .ci/run installs
WORDING = yaml.safe_load((ROOT / "questionnaires" / "talking_points.yaml").read_text())[
    "talking_points"
]


def _words(text: str) -> str:
    return " ".join(text.split())


def _seed(page: Page) -> None:
    """A signed-in account with the heavy case, through the JSON API."""
    username = f"sheet{uuid.uuid4().hex[:6]}"
    r = page.request.post("/api/auth/signup", data={"username": username, "password": PASSPHRASE})
    assert r.status == 201, r.text()
    assert page.request.put("/api/profile", data=heavy_case.profile()).status == 200
    q = page.request.get("/api/questionnaires/weekly").json()
    for body in heavy_case.checkins(q):
        assert page.request.post("/api/checkins", data=body).status == 201


def _axe_clean(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, (page.url, results.generate_report())


def _print(page: Page, path: Path, paper: str) -> str:
    """Print the page to a PDF; returns its text after checking it is exactly one page."""
    page.emulate_media(media="print")
    page.pdf(path=str(path), format=paper)
    page.emulate_media(media="screen")
    pdf = PdfReader(path)
    assert len(pdf.pages) == 1, f"{paper}: {len(pdf.pages)} pages"
    return _words(pdf.pages[0].extract_text())


def test_heavy_sheet_prints_on_one_page(
    browser: Browser, live_server: str, shots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(**PHONE, base_url=live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _seed(page)
    page.goto("/talking-points")
    expect(page.locator("button[data-print]")).to_be_visible()  # print.js ran under the CSP
    page.screenshot(path=shots / "1-sheet-phone.png", full_page=True)
    _axe_clean(page)

    for paper in ("A4", "Letter"):
        pdf = tmp_path / f"sheet-{paper}.pdf"
        text = _print(page, pdf, paper)
        for sign in heavy_case.NEGATIVE_SIGNS:
            assert _words(WORDING[sign]["title"]) in text, sign
        for n in (1, 2, 3):
            assert heavy_case.long_note(n) in text
        assert "not a diagnosis" in text and "Samaritans" in text
        assert heavy_case.profile()["goals"] in text
        for screen_only in ("Save my choice", "Print or save", "Sign out", "Share a read-only"):
            assert screen_only not in text
        png = shots / f"sheet-{paper}"
        subprocess.run(
            [PDFTOPPM, "-png", "-r", "80", "-singlefile", str(pdf), str(png)], check=True
        )
        assert png.with_suffix(".png").stat().st_size > 10_000

    # What is unticked stays off the paper.
    page.locator("#pick-sign-dependency").uncheck()
    page.locator("#pick-goals").uncheck()
    page.locator("button[value=save]").click()
    expect(page.locator(".notice.ok")).to_be_visible()
    text = _print(page, tmp_path / "chosen.pdf", "A4")
    assert _words(WORDING["dependency"]["title"]) not in text
    assert heavy_case.profile()["goals"] not in text
    assert _words(WORDING["not_heard"]["title"]) in text
    assert errors == []
    context.close()


def _open(browser: Browser, url: str) -> tuple[int, Page]:
    fresh = browser.new_context(**PHONE)  # someone else's browser: no cookies, no session
    page = fresh.new_page()
    response = page.goto(url)
    assert response is not None
    return response.status, page


def _share(page: Page, leave_out: tuple[str, ...] = ()) -> str:
    page.goto("/talking-points")
    for key in leave_out:
        page.locator(f"#pick-{key}").uncheck()
    page.select_option("#f-days", "7")
    page.locator("button[value=share]").click()
    expect(page.locator("#f-link")).to_be_visible()  # the new page has loaded
    _axe_clean(page)
    return page.locator("#f-link").input_value()


def test_shared_link_shows_only_the_chosen_points(
    browser: Browser, live_server: str, live_database_url: str, shots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(**PHONE, base_url=live_server)
    page = context.new_page()
    _seed(page)
    url = _share(page, leave_out=("sign-hopelessness", "goals"))
    assert url.startswith(f"{live_server}/shared/")

    status, therapist = _open(browser, url)
    assert status == 200
    titles = [_words(t) for t in therapist.locator(".pt-title").all_inner_texts()]
    assert len(titles) == len(heavy_case.NEGATIVE_SIGNS) - 1
    assert _words(WORDING["hopelessness"]["title"]) not in titles
    assert _words(WORDING["not_heard"]["title"]) in titles
    assert therapist.locator(".goals").count() == 0
    assert therapist.locator(".pt-note").count() == 3
    assert therapist.locator("nav, form, input").count() == 0
    robots = therapist.locator("meta[name=robots]").get_attribute("content") or ""
    assert robots.startswith("noindex")
    therapist.screenshot(path=shots / "2-shared-phone.png", full_page=True)
    _axe_clean(therapist)
    text = _print(therapist, tmp_path / "shared.pdf", "Letter")
    assert _words(WORDING["hopelessness"]["title"]) not in text
    today = utcnow()
    assert "Talking points shared with you" in text  # no name chosen: no name, no username
    assert f"Made {today.day} {today:%B %Y}." in text  # the link's date stays on paper
    therapist.context.close()

    # Revoked: the client withdraws it in Settings.
    page.goto("/settings#links")
    expect(page.locator("#links")).to_contain_text("Opened 1 time")
    page.locator("#links").screenshot(path=shots / "4-settings-links.png")
    _axe_clean(page)
    page.locator("#links .share-link button[type=submit]").click()
    expect(page.locator(".notice.ok")).to_contain_text("revoked")
    status, therapist = _open(browser, url)
    assert status == 404
    expect(therapist.locator("h1")).to_have_text("This link isn't available")
    therapist.context.close()

    # Expired: a second link whose end date has passed.
    second = _share(page)
    assert _open(browser, second)[0] == 200
    token = second.rsplit("/", 1)[1]
    engine = create_engine(live_database_url)
    with Session(engine) as db:
        row = db.exec(
            select(ShareLink).where(
                ShareLink.token_hash == hashlib.sha256(token.encode()).hexdigest()
            )
        ).one()
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.add(row)
        db.commit()
    engine.dispose()
    status, therapist = _open(browser, second)
    assert status == 404
    therapist.screenshot(path=shots / "3-expired.png")
    therapist.context.close()
    context.close()


def test_copy_link_puts_the_whole_link_on_the_clipboard(
    browser: Browser, live_server: str, shots: Path
) -> None:
    context = browser.new_context(**PHONE, base_url=live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _seed(page)
    url = _share(page)
    copy = page.get_by_role("button", name="Copy link")
    expect(copy).to_be_visible()  # app.js showed it: the clipboard is there
    page.bring_to_front()  # the clipboard needs the focused page a tap would give
    copy.click()
    expect(page.locator("#link-status")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url
    # Share… only where the browser can share.
    can_share = page.evaluate("typeof navigator.share === 'function'")
    share = page.locator("button[data-share]")
    expect(share).to_be_visible() if can_share else expect(share).to_be_hidden()
    # On a 320 px screen the box wraps the whole link instead of cutting it off.
    page.set_viewport_size({"width": 320, "height": 640})
    # Waits for the box to fit: the resize reflows (and app.js sizes the box) after it.
    page.wait_for_function(
        """() => { const el = document.querySelector("#f-link");
          return el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight; }"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=shots / "link-ready-320.png", full_page=True)
    _axe_clean(page)
    assert errors == []
    context.close()


def test_the_safety_plan_prints_on_one_page(
    browser: Browser, live_server: str, shots: Path, tmp_path: Path
) -> None:
    context = browser.new_context(**PHONE, base_url=live_server)
    page = context.new_page()
    _seed(page)
    lines = [f"A line of my own, number {n}, written the way I would say it" for n in range(10)]
    people = [{"name": f"Person {n}", "phone": f"07700 90012{n}"} for n in range(3)]
    plan = {
        "warning_signs": lines, "coping": lines, "distractions": lines[:5], "people": people,
        "professionals": people, "safer_surroundings": lines[:5], "reasons": lines[:5],
    }  # fmt: skip
    assert page.request.put("/api/safety-plan", data=plan).ok
    page.goto("/safety-plan")
    expect(page.locator("button[data-print]")).to_be_visible()
    for paper in ("A4", "Letter"):
        pdf = tmp_path / f"plan-{paper}.pdf"
        text = _print(page, pdf, paper)
        assert "What keeps me going" in text and "Person 2" in text
        assert "Save my plan" not in text and "Make my plan" not in text
        png = shots / f"plan-{paper}"
        subprocess.run(
            [PDFTOPPM, "-png", "-r", "80", "-singlefile", str(pdf), str(png)], check=True
        )
    context.close()
