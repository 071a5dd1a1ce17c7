"""Session-wide server fixtures for end-to-end tests (registered in
tests/conftest.py)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e.servers import Process, clean_env, free_port, manage

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots go to a temporary folder unless SCREENSHOTS_DIR says otherwise;
# `make screenshots` sets it to docs/screenshots to refresh the README's pictures.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOTS_DIR")
    or Path(tempfile.gettempdir()) / "torget-screenshots"
)


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory):
    """Torget as `make run` serves it: migrated, demo data loaded, one ASGI process,
    SQLite + in-memory channel layer + eager Celery."""
    data_dir = tmp_path_factory.mktemp("embedded-data")
    env = clean_env(DATA_DIR=str(data_dir))
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    port = free_port()
    server = Process(
        [sys.executable, "manage.py", "runserver_embedded", "--port", str(port)],
        env,
        data_dir / "server.log",
        port=port,
    ).start()
    yield {
        "url": f"http://127.0.0.1:{port}",
        "data_dir": data_dir,
        "env": env,
        "process": server,
    }
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.console_errors = errors
    yield pg
    context.close()


def sign_in(
    page, base_url: str, username: str, password: str = "demo-pass-2026"
) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
