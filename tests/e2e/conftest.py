"""End-to-end fixtures: a real `coach serve` process and real headless Chromium (Playwright).

`live_server` starts uvicorn on a free loopback port against a fresh, migrated SQLite file and
yields its base URL and database URL (seed data through coach.service with that URL). One server
per test module (startup loads and compiles every rubric: seconds on a busy machine); tests stay
independent because each `page` is a new browser context with its own cookies and storage. It
lives at most SERVER_LIFETIME_S and is terminated when the module's tests are done.

`browser` launches Debian's chromium (Playwright's own download does not work here). When the
browser is missing, the test is skipped with the reason, or fails when CI is set: CI must not
pass without running the browser tests. `page` is a fresh context per test; `dialogs` collects
every alert/confirm the page raised (an XSS that fires shows up there).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from coach import service
from coach.config import PROJECT_ROOT

CHROMIUM = Path(os.environ.get("COACH_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "artifacts" / "e2e"
STARTUP_TIMEOUT_S = 30.0
SERVER_LIFETIME_S = 900.0


@dataclass(frozen=True)
class LiveServer:
    url: str
    """Base URL, e.g. http://127.0.0.1:43123 (no trailing slash)."""
    database_url: str
    """The server's database: seed it with coach.service functions before driving the browser."""
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"coach serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@contextmanager
def serve_coach(tmp_path: Path, **extra_env: str) -> Iterator[LiveServer]:
    """A real `coach serve` on a free loopback port with a fresh migrated SQLite file."""
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    service.upgrade_schema(database_url)
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "COACH_DATABASE_URL": database_url,
        "COACH_RUBRICS_DIR": str(PROJECT_ROOT / "rubrics"),
        "COACH_SECRET_KEY": secrets.token_urlsafe(32),
        **extra_env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "coach", "serve", "--port", str(port), "--no-access-log"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    # Bounded lifetime: even if teardown never runs, the server does not outlive the test run.
    watchdog = threading.Timer(SERVER_LIFETIME_S, process.kill)
    watchdog.daemon = True
    watchdog.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, url, log)
        yield LiveServer(url=url, database_url=database_url, log=log)
    finally:
        watchdog.cancel()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_coach(tmp_path_factory.mktemp("live_server")) as server:
        yield server


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(f"browser tests skipped: {reason} (set CI=1 to make this a failure)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Not session-wide: Playwright's sync API keeps an event loop
    running in this thread, which breaks the asyncio tests collected after the browser tests."""
    if not CHROMIUM.exists():
        _unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except Exception as exc:  # any launch failure means there is no browser to test with
            _unavailable(f"chromium at {CHROMIUM} did not start: {exc}")
        yield launched
        launched.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of every dialog (alert, confirm, prompt) a page raised during the test."""
    return []


@pytest.fixture
def page(browser: Any, dialogs: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
