"""A live server on 127.0.0.1 and Debian's Chromium, driven by pytest-playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import ROOT
from tests.support.live_server import live_server as serve
from tests.support.migrations import migrate

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required but missing at {CHROMIUM}")
        pytest.skip("Chromium not installed")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, **PHONE}


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The live server's database, for tests that must change a row directly (an expiry)."""
    db = tmp_path_factory.mktemp("live") / "live.db"
    return f"sqlite:///{db}"


@pytest.fixture(scope="session")
def live_server(live_database_url: str) -> Iterator[str]:
    migrate(live_database_url)
    # With its access log, and its output among the tests' output.
    with serve(live_database_url, access_log=True, output="inherit") as base:
        yield base


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """Where a test leaves screenshots for a person to look at (kept after the run)."""
    out = ROOT / "screenshots" / request.node.name
    out.mkdir(parents=True, exist_ok=True)
    return out
