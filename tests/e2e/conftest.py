"""Playwright driving Debian's Chromium against pytest-django's live server.

Browser tests are mandatory when CI=true; elsewhere they are skipped with a clear message
when no Chromium is installed (`apt-get install -y chromium`).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_CANDIDATES = [os.environ.get("LODE_CHROMIUM", ""), "/usr/bin/chromium", "chromium"]
ARTIFACTS = Path(__file__).parent / "artifacts"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make there (factories, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = "No Chromium found: install it with `apt-get install -y chromium`."
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests are mandatory in CI. {message}")
        pytest.skip(f"Browser tests skipped. {message}")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under tests/e2e/artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
